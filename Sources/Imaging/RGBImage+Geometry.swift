/// Orientation, crop and resize: the preprocessing every consumer (OCR, the tagger, the ViT)
/// needs before its own normalization.
extension RGBImage {
    /// The pixel at (x, y) as a base offset into `pixels`.
    @inline(__always) func offset(x: Int, y: Int) -> Int { (y * width + x) * 3 }

    /// The image turned upright for an EXIF orientation (EXIF 2.32, tag 0x0112).
    public func oriented(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .up { return self }
        let swaps = [.leftMirrored, .right, .rightMirrored, .left].contains(orientation)
        let outWidth = swaps ? height : width
        let outHeight = swaps ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                // (sx, sy): the stored pixel that is shown at (x, y).
                let (sx, sy): (Int, Int)
                switch orientation {
                case .up: (sx, sy) = (x, y)
                case .upMirrored: (sx, sy) = (width - 1 - x, y)
                case .down: (sx, sy) = (width - 1 - x, height - 1 - y)
                case .downMirrored: (sx, sy) = (x, height - 1 - y)
                case .leftMirrored: (sx, sy) = (y, x)
                case .right: (sx, sy) = (y, height - 1 - x)
                case .rightMirrored: (sx, sy) = (width - 1 - y, height - 1 - x)
                case .left: (sx, sy) = (width - 1 - y, x)
                }
                let source = offset(x: sx, y: sy)
                let target = (y * outWidth + x) * 3
                out[target] = pixels[source]
                out[target + 1] = pixels[source + 1]
                out[target + 2] = pixels[source + 2]
            }
        }
        return RGBImage(unchecked: outWidth, outHeight, out)
    }

    /// The rectangle [x, x+width) x [y, y+height), which must lie inside the image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) throws(ImagingError) -> RGBImage {
        guard cropWidth > 0, cropHeight > 0, x >= 0, y >= 0, x + cropWidth <= width, y + cropHeight <= height else {
            throw .invalidGeometry("crop \(cropWidth)x\(cropHeight) at (\(x), \(y)) outside a \(width)x\(height) image")
        }
        var out = [UInt8]()
        out.reserveCapacity(cropWidth * cropHeight * 3)
        for row in y..<(y + cropHeight) {
            let start = offset(x: x, y: row)
            out.append(contentsOf: pixels[start..<(start + cropWidth * 3)])
        }
        return RGBImage(unchecked: cropWidth, cropHeight, out)
    }

    /// How `resized` samples.
    public enum ResizeFilter: Sendable {
        /// Each output pixel is the mean of the source area it covers, with fractional edge
        /// weights (OpenCV's INTER_AREA): the right filter for shrinking, no aliasing.
        case area
        /// Half-pixel-centred bilinear (PIL/OpenCV convention), for enlarging or small changes.
        case bilinear
    }

    public func resized(width outWidth: Int, height outHeight: Int, filter: ResizeFilter) throws(ImagingError) -> RGBImage {
        guard outWidth > 0, outHeight > 0 else {
            throw .invalidGeometry("resize to \(outWidth)x\(outHeight)")
        }
        if outWidth == width && outHeight == height { return self }
        switch filter {
        case .area: return areaResized(outWidth, outHeight)
        case .bilinear: return bilinearResized(outWidth, outHeight)
        }
    }

    /// Per output index, the source indices it covers and their weights (summing to 1).
    private static func areaWeights(source: Int, target: Int) -> [[(index: Int, weight: Double)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { i in
            let start = Double(i) * scale
            let end = Double(i + 1) * scale
            var taps: [(index: Int, weight: Double)] = []
            var s = Int(start.rounded(.down))
            while Double(s) < end && s < source {
                let overlap = min(end, Double(s + 1)) - max(start, Double(s))
                if overlap > 0 { taps.append((s, overlap / scale)) }
                s += 1
            }
            return taps
        }
    }

    private func areaResized(_ outWidth: Int, _ outHeight: Int) -> RGBImage {
        let xs = Self.areaWeights(source: width, target: outWidth)
        let ys = Self.areaWeights(source: height, target: outHeight)
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        var sum = [Double](repeating: 0, count: 3)
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                sum[0] = 0; sum[1] = 0; sum[2] = 0
                for (sy, wy) in ys[oy] {
                    for (sx, wx) in xs[ox] {
                        let w = wx * wy
                        let p = offset(x: sx, y: sy)
                        sum[0] += w * Double(pixels[p])
                        sum[1] += w * Double(pixels[p + 1])
                        sum[2] += w * Double(pixels[p + 2])
                    }
                }
                let target = (oy * outWidth + ox) * 3
                for c in 0..<3 { out[target + c] = Self.clampByte(sum[c]) }
            }
        }
        return RGBImage(unchecked: outWidth, outHeight, out)
    }

    private func bilinearResized(_ outWidth: Int, _ outHeight: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        let scaleX = Double(width) / Double(outWidth)
        let scaleY = Double(height) / Double(outHeight)
        for oy in 0..<outHeight {
            let fy = max(0, (Double(oy) + 0.5) * scaleY - 0.5)
            let y0 = min(Int(fy), height - 1)
            let y1 = min(y0 + 1, height - 1)
            let dy = fy - Double(y0)
            for ox in 0..<outWidth {
                let fx = max(0, (Double(ox) + 0.5) * scaleX - 0.5)
                let x0 = min(Int(fx), width - 1)
                let x1 = min(x0 + 1, width - 1)
                let dx = fx - Double(x0)
                let target = (oy * outWidth + ox) * 3
                for c in 0..<3 {
                    let top = Double(pixels[offset(x: x0, y: y0) + c]) * (1 - dx) + Double(pixels[offset(x: x1, y: y0) + c]) * dx
                    let bottom = Double(pixels[offset(x: x0, y: y1) + c]) * (1 - dx) + Double(pixels[offset(x: x1, y: y1) + c]) * dx
                    out[target + c] = Self.clampByte(top * (1 - dy) + bottom * dy)
                }
            }
        }
        return RGBImage(unchecked: outWidth, outHeight, out)
    }

    @inline(__always) static func clampByte(_ value: Double) -> UInt8 {
        UInt8(max(0, min(255, value.rounded())))
    }

    /// For buffers this module built with the right size by construction.
    init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3, "internal buffer size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
