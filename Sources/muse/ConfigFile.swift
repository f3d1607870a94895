import Foundation

/// `muse.toml`: settings for `muse serve`, `muse keys` and `muse usage`, one `key = value` per
/// line in TOML's syntax (strings in quotes, integers, true/false, `#` comments). Keys are the
/// long flag names (`max-queue` or `max_queue`). A flag beats its environment variable, which
/// beats the file, which beats the default. The file is `--config`, else MUSE_CONFIG, else
/// `$XDG_CONFIG_HOME/muse/muse.toml` (~/.config/muse/muse.toml) when it exists.
struct ConfigFile: Sendable {
    static let knownKeys: Set<String> = [
        "host", "port", "model", "model-id", "threads", "ctx", "slots", "max-queue", "max-body", "embedder", "tagger", "mmproj",
        "data-dir", "database-url", "auth", "reasoning-budget", "contemplation-samples",
        "meta-app-secret", "meta-verify-token", "meta-access-token", "graph-base-url", "replica-id",
        "public-url", "oidc-issuer", "oidc-client-id", "oidc-client-secret", "oidc-name",
    ]

    let path: String?
    let values: [String: String]

    static func load(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigFile {
        var path = explicitPath ?? environment["MUSE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let required = path != nil
        if path == nil {
            let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.config"
            path = base + "/muse/muse.toml"
        }
        guard let path, FileManager.default.fileExists(atPath: path) || required else { return ConfigFile(path: nil, values: [:]) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CommandFailure("config file \(path) cannot be read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("config file \(path) is not UTF-8") }
        return ConfigFile(path: path, values: try parse(text, path: path))
    }

    static func parse(_ text: String, path: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let place = "\(path):\(number + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw CommandFailure("\(place): expected `key = value`\(line.hasPrefix("[") ? " (tables are not used)" : "")")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-")
            guard knownKeys.contains(key) else {
                throw CommandFailure("\(place): unknown key '\(key)'; known: \(knownKeys.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw CommandFailure("\(place): '\(key)' is set twice") }
            values[key] = try value(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces), at: place)
        }
        return values
    }

    /// A quoted string (basic with escapes, or literal), an integer or a boolean; then only a comment.
    static func value(_ text: String, at place: String) throws -> String {
        var characters = Substring(text)
        var result = ""
        if let quote = characters.first, quote == "\"" || quote == "'" {
            characters.removeFirst()
            var closed = false
            while let character = characters.popFirst() {
                if character == quote { closed = true; break }
                if quote == "\"", character == "\\" {
                    switch characters.popFirst() {
                    case "\"": result.append("\"")
                    case "\\": result.append("\\")
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    default: throw CommandFailure("\(place): unsupported escape in string")
                    }
                } else {
                    result.append(character)
                }
            }
            guard closed else { throw CommandFailure("\(place): unterminated string") }
        } else {
            let bare = characters.prefix { $0 != "#" && !$0.isWhitespace }
            characters = characters.dropFirst(bare.count)
            guard !bare.isEmpty, bare == "true" || bare == "false" || Int(bare.replacingOccurrences(of: "_", with: "")) != nil else {
                throw CommandFailure("\(place): a value is a \"string\", an integer or true/false")
            }
            result = bare.replacingOccurrences(of: "_", with: "")
        }
        let rest = characters.trimmingCharacters(in: .whitespaces)
        guard rest.isEmpty || rest.hasPrefix("#") else { throw CommandFailure("\(place): unexpected text after the value") }
        return result
    }
}

/// One setting's value: the flag, else its environment variable, else the config file.
struct SettingSources: Sendable {
    let config: ConfigFile
    let environment: [String: String]

    init(config: ConfigFile, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.environment = environment
    }

    func string(_ flag: String?, env: String, key: String) -> String? {
        flag ?? environment[env].flatMap { $0.isEmpty ? nil : $0 } ?? config.values[key]
    }

    func int(_ flag: Int?, env: String, key: String) throws -> Int? {
        if let flag { return flag }
        guard let text = string(nil, env: env, key: key) else { return nil }
        guard let value = Int(text) else { throw CommandFailure("\(key) must be an integer, not '\(text)'") }
        return value
    }
}
