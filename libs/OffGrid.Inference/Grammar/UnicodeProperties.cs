using System.Collections.Concurrent;
using System.Globalization;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// The code point ranges of the Unicode properties a regular expression names with <c>\p{…}</c>: general categories
/// by short or long name (<c>Lu</c>, <c>Uppercase_Letter</c>, <c>L</c>, <c>gc=Lu</c>), plus <c>Any</c>, <c>ASCII</c>
/// and <c>Assigned</c>, from the Unicode data of the running .NET. Thread-safe.
/// </summary>
internal static class UnicodeProperties
{
    private static readonly Dictionary<string, UnicodeCategory[]> s_categories = BuildNames();
    private static readonly Lazy<UnicodeCategory[]> s_table = new(() =>
    {
        var table = new UnicodeCategory[0x110000];
        for (int c = 0; c < table.Length; c++)
        {
            table[c] = CharUnicodeInfo.GetUnicodeCategory(c);
        }

        return table;
    });

    private static readonly ConcurrentDictionary<string, IReadOnlyList<(int Low, int High)>> s_cache = new(StringComparer.Ordinal);

    /// <summary>The ranges of the property <paramref name="name"/> (what stands between the braces of <c>\p{…}</c>).</summary>
    /// <exception cref="FormatException">The property is not a general category (scripts and binary properties are not supported).</exception>
    public static IReadOnlyList<(int Low, int High)> Ranges(string name)
    {
        string key = name.StartsWith("gc=", StringComparison.Ordinal) ? name[3..]
            : name.StartsWith("General_Category=", StringComparison.Ordinal) ? name["General_Category=".Length..]
            : name;
        return s_cache.GetOrAdd(key, static k => Build(k));
    }

    private static IReadOnlyList<(int Low, int High)> Build(string name)
    {
        if (name == "Any")
        {
            return [(0, 0x10FFFF)];
        }

        if (name == "ASCII")
        {
            return [(0, 0x7F)];
        }

        Func<UnicodeCategory, bool> matches = name == "Assigned"
            ? static c => c != UnicodeCategory.OtherNotAssigned
            : s_categories.TryGetValue(name, out UnicodeCategory[]? categories)
                ? c => Array.IndexOf(categories, c) >= 0
                : throw new FormatException($"the Unicode property '\\p{{{name}}}' (general categories such as \\p{{Lu}} are supported; scripts and binary properties are not)");

        UnicodeCategory[] table = s_table.Value;
        var ranges = new List<(int Low, int High)>();
        int start = -1;
        for (int c = 0; c <= table.Length; c++)
        {
            bool inSet = c < table.Length && matches(table[c]);
            if (inSet && start < 0)
            {
                start = c;
            }
            else if (!inSet && start >= 0)
            {
                ranges.Add((start, c - 1));
                start = -1;
            }
        }

        return ranges;
    }

    private static Dictionary<string, UnicodeCategory[]> BuildNames()
    {
        var names = new Dictionary<string, UnicodeCategory[]>(StringComparer.Ordinal);
        void Add(string shortName, string longName, params UnicodeCategory[] categories)
        {
            names[shortName] = categories;
            names[longName] = categories;
        }

        Add("Lu", "Uppercase_Letter", UnicodeCategory.UppercaseLetter);
        Add("Ll", "Lowercase_Letter", UnicodeCategory.LowercaseLetter);
        Add("Lt", "Titlecase_Letter", UnicodeCategory.TitlecaseLetter);
        Add("LC", "Cased_Letter", UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter);
        Add("Lm", "Modifier_Letter", UnicodeCategory.ModifierLetter);
        Add("Lo", "Other_Letter", UnicodeCategory.OtherLetter);
        Add("L", "Letter", UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter, UnicodeCategory.ModifierLetter, UnicodeCategory.OtherLetter);
        Add("Mn", "Nonspacing_Mark", UnicodeCategory.NonSpacingMark);
        Add("Mc", "Spacing_Mark", UnicodeCategory.SpacingCombiningMark);
        Add("Me", "Enclosing_Mark", UnicodeCategory.EnclosingMark);
        Add("M", "Mark", UnicodeCategory.NonSpacingMark, UnicodeCategory.SpacingCombiningMark, UnicodeCategory.EnclosingMark);
        Add("Nd", "Decimal_Number", UnicodeCategory.DecimalDigitNumber);
        Add("Nl", "Letter_Number", UnicodeCategory.LetterNumber);
        Add("No", "Other_Number", UnicodeCategory.OtherNumber);
        Add("N", "Number", UnicodeCategory.DecimalDigitNumber, UnicodeCategory.LetterNumber, UnicodeCategory.OtherNumber);
        Add("Pc", "Connector_Punctuation", UnicodeCategory.ConnectorPunctuation);
        Add("Pd", "Dash_Punctuation", UnicodeCategory.DashPunctuation);
        Add("Ps", "Open_Punctuation", UnicodeCategory.OpenPunctuation);
        Add("Pe", "Close_Punctuation", UnicodeCategory.ClosePunctuation);
        Add("Pi", "Initial_Punctuation", UnicodeCategory.InitialQuotePunctuation);
        Add("Pf", "Final_Punctuation", UnicodeCategory.FinalQuotePunctuation);
        Add("Po", "Other_Punctuation", UnicodeCategory.OtherPunctuation);
        Add("P", "Punctuation", UnicodeCategory.ConnectorPunctuation, UnicodeCategory.DashPunctuation, UnicodeCategory.OpenPunctuation, UnicodeCategory.ClosePunctuation,
            UnicodeCategory.InitialQuotePunctuation, UnicodeCategory.FinalQuotePunctuation, UnicodeCategory.OtherPunctuation);
        Add("Sm", "Math_Symbol", UnicodeCategory.MathSymbol);
        Add("Sc", "Currency_Symbol", UnicodeCategory.CurrencySymbol);
        Add("Sk", "Modifier_Symbol", UnicodeCategory.ModifierSymbol);
        Add("So", "Other_Symbol", UnicodeCategory.OtherSymbol);
        Add("S", "Symbol", UnicodeCategory.MathSymbol, UnicodeCategory.CurrencySymbol, UnicodeCategory.ModifierSymbol, UnicodeCategory.OtherSymbol);
        Add("Zs", "Space_Separator", UnicodeCategory.SpaceSeparator);
        Add("Zl", "Line_Separator", UnicodeCategory.LineSeparator);
        Add("Zp", "Paragraph_Separator", UnicodeCategory.ParagraphSeparator);
        Add("Z", "Separator", UnicodeCategory.SpaceSeparator, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator);
        Add("Cc", "Control", UnicodeCategory.Control);
        Add("Cf", "Format", UnicodeCategory.Format);
        Add("Cs", "Surrogate", UnicodeCategory.Surrogate);
        Add("Co", "Private_Use", UnicodeCategory.PrivateUse);
        Add("Cn", "Unassigned", UnicodeCategory.OtherNotAssigned);
        Add("C", "Other", UnicodeCategory.Control, UnicodeCategory.Format, UnicodeCategory.Surrogate, UnicodeCategory.PrivateUse, UnicodeCategory.OtherNotAssigned);
        return names;
    }
}
