public enum Playbooks {}
