public enum ProvisionVersion { public static let current = "0.1.0" }
