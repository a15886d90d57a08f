import CLibFuzzer

// The callback for each input. libFuzzer's runtime archive refers to it by this name (its own
// main, which SwiftPM's entry point below replaces, calls it), so it must exist under it.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    inventoryFuzzTarget(data, size)
}

// SwiftPM links an executable's entry point under the module's name; it hands control to
// libFuzzer's driver, which reads its options and the corpus from the command line.
@_cdecl("fuzz_inventory_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput)
}
