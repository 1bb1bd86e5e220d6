// Package repocheck keeps build outputs and large files out of the
// repository: its test lists the files git tracks and fails on an
// executable binary (ELF, Mach-O, PE, WebAssembly, or any file marked
// executable that is not a script) or on a file larger than MaxSize
// outside the screenshot folder. CI runs it with every other test.
package repocheck
