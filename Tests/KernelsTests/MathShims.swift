#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libm in double, named apart from the kernels under test.
func expDouble(_ x: Double) -> Double { exp(x) }
func tanhDouble(_ x: Double) -> Double { tanh(x) }
func cosDouble(_ x: Double) -> Double { cos(x) }
func sinDouble(_ x: Double) -> Double { sin(x) }
func powFloat(_ x: Float, _ y: Float) -> Float { powf(x, y) }
