/// Typed metadata look-ups that say what is missing or mistyped.
extension GGUFFile {
    public func string(_ key: String) throws(ModelFileError) -> String {
        try typed(key, "a string") { $0.stringValue }
    }

    public func int(_ key: String) throws(ModelFileError) -> Int {
        try typed(key, "an integer") { $0.intValue }
    }

    public func float(_ key: String) throws(ModelFileError) -> Double {
        try typed(key, "a number") { $0.floatValue }
    }

    public func bool(_ key: String) throws(ModelFileError) -> Bool {
        try typed(key, "a bool") { $0.boolValue }
    }

    public func stringArray(_ key: String) throws(ModelFileError) -> [String] {
        try typed(key, "an array of strings") { $0.stringArray }
    }

    public func intArray(_ key: String) throws(ModelFileError) -> [Int] {
        try typed(key, "an array of integers") { $0.intArray }
    }

    public func floatArray(_ key: String) throws(ModelFileError) -> [Float] {
        try typed(key, "an array of numbers") { $0.floatArray }
    }

    private func typed<T>(_ key: String, _ expected: String, _ convert: (GGUFValue) -> T?) throws(ModelFileError) -> T {
        guard let value = metadata[key] else { throw .missingMetadata(key) }
        guard let converted = convert(value) else {
            throw .wrongMetadataType(key: key, expected: expected, found: "\(value.type)")
        }
        return converted
    }
}
