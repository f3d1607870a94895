import Foundation

/// Health mode's refusal of extreme diet plans, decided by rules on the user's words before the
/// model is asked: a 135M model cannot be trusted to refuse by itself, and a refusal must not
/// depend on sampling.
public enum HealthGuard {
    /// Daily energy below this (kcal) is a very-low-calorie diet, only safe under medical care.
    static let minimumDailyKcal = 1000
    /// Faster loss than this (kg per week) is past what dietitians consider safe.
    static let maximumKgPerWeek = 1.0

    public static let framing = "General information, not medical advice."

    public static let refusal = """
        I can't help with that plan: it is an extreme diet, which can seriously harm your health. \
        A safe pace is about 0.5 to 1 kg a week, with regular balanced meals and activity; a doctor or a registered \
        dietitian can help you plan it. \(framing)
        """

    /// Why the text asks for an extreme diet, or nil.
    public static func extremeDietReason(_ text: String) -> String? {
        let lower = text.lowercased()
        for phrase in ["water fast", "dry fast", "stop eating", "eat nothing", "not eat anything", "starve myself", "starving myself",
                       "purge", "laxatives to lose", "pro-ana", "pro ana", "skip all meals"] where lower.contains(phrase) {
            return "asks for '\(phrase)'"
        }
        for match in lower.matches(of: /(\d{2,4})\s*(?:k?cal|calories)\b[^.?!]{0,20}?\b(?:a|per|each|every)?\s*day/) {
            if let kcal = Int(match.output.1), kcal < minimumDailyKcal { return "\(kcal) kcal a day" }
        }
        for match in lower.matches(of: /(?:lose|drop|shed)\s+(\d+(?:\.\d+)?)\s*(kg|kilos?|kilograms?|pounds?|lbs?)\s+in\s+(a|one|\d+)\s+(days?|weeks?)/) {
            guard let amount = Double(match.output.1) else { continue }
            let kilograms = match.output.2.hasPrefix("k") ? amount : amount * 0.4536
            let count = Double(match.output.3) ?? 1
            let weeks = match.output.4.hasPrefix("day") ? count / 7 : count
            if kilograms / max(weeks, 1.0 / 7) > maximumKgPerWeek { return "\(match.output.0)" }
        }
        for match in lower.matches(of: /fast(?:ing)?\s+for\s+(\d+)\s+days/) {
            if let days = Int(match.output.1), days >= 3 { return "fasting for \(days) days" }
        }
        return nil
    }
}
