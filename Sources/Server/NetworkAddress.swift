import Foundation

/// An IP address a remote fetch would connect to, classified for SSRF protection: only public
/// unicast addresses may be reached from a user-supplied URL.
struct NetworkAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    let bytes: [UInt8]

    var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    var isLoopback: Bool {
        if let v4 = ipv4 { return v4[0] == 127 }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// The IPv4 address itself, or one embedded in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d).
    private var ipv4: [UInt8]? {
        if bytes.count == 4 { return bytes }
        let mappedPrefix = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
        let nat64Prefix: [UInt8] = [0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8)
        if bytes.starts(with: mappedPrefix) || bytes.starts(with: nat64Prefix) { return Array(bytes[12..<16]) }
        return nil
    }

    /// Whether a user-supplied URL may make us connect here: not loopback, private, link-local,
    /// shared (CGNAT), multicast, reserved or unspecified. Ranges from the IANA special-purpose
    /// registries (RFC 6890 and its updates).
    var isPublicUnicast: Bool {
        if let v4 = ipv4 {
            let (a, b) = (v4[0], v4[1])
            switch a {
            case 0, 10, 127: return false                  // this network, private, loopback
            case 100 where b & 0xC0 == 64: return false    // 100.64.0.0/10 shared address space
            case 169 where b == 254: return false          // link-local (cloud metadata lives here)
            case 172 where b & 0xF0 == 16: return false    // 172.16.0.0/12 private
            case 192 where b == 168: return false          // 192.168.0.0/16 private
            case 192 where b == 0 && v4[2] == 0: return false  // 192.0.0.0/24 protocol assignments
            case 198 where b & 0xFE == 18: return false    // 198.18.0.0/15 benchmarking
            case 224...255: return false                   // multicast, reserved, broadcast
            default: return true
            }
        }
        let first = bytes[0], second = bytes[1]
        if bytes.allSatisfy({ $0 == 0 }) || isLoopback { return false }  // :: and ::1
        if first & 0xFE == 0xFC { return false }                  // fc00::/7 unique local
        if first == 0xFE && second & 0xC0 == 0x80 { return false } // fe80::/10 link-local
        if first == 0xFE && second & 0xC0 == 0xC0 { return false } // fec0::/10 old site-local
        if first == 0xFF { return false }                          // multicast
        if bytes.starts(with: [0x20, 0x01, 0x0D, 0xB8]) { return false }  // 2001:db8::/32 documentation
        return true
    }

    /// Every address `host` resolves to (A and AAAA), with the system resolver. Blocking: call it
    /// off the cooperative pool.
    static func resolve(_ host: String) -> [NetworkAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [NetworkAddress] = []
        var node = list
        while let info = node?.pointee {
            if info.ai_family == AF_INET, let raw = info.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    addresses.append(NetworkAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                }
            } else if info.ai_family == AF_INET6, let raw = info.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    addresses.append(NetworkAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                }
            }
            node = info.ai_next
        }
        return addresses
    }
}
