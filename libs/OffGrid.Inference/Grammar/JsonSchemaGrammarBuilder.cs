using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Turns JSON schemas into GBNF rules that accept only JSON documents valid against the schema
/// (a subset of them where a bound keeps generation finite). One builder can hold several schemas,
/// e.g. the parameters of several tools, sharing the primitive rules.
/// </summary>
/// <remarks>
/// Covered: <c>type</c> (single or array), objects (<c>properties</c> in declared order, <c>required</c>,
/// <c>additionalProperties</c>), arrays (<c>items</c>, <c>prefixItems</c>, <c>minItems</c>, <c>maxItems</c>),
/// <c>enum</c>, <c>const</c>, <c>$ref</c> into <c>$defs</c>/<c>definitions</c> (any local JSON pointer),
/// <c>anyOf</c>/<c>oneOf</c> (as alternatives), <c>allOf</c> (merged), string <c>minLength</c>/<c>maxLength</c>,
/// <c>pattern</c> (see <see cref="RegexPatternGrammar"/>), formats <c>date</c>, <c>time</c>, <c>date-time</c>, <c>uuid</c>,
/// integer <c>minimum</c>/<c>maximum</c> (inclusive or exclusive). Not enforced: <c>oneOf</c> exclusivity,
/// number (non-integer) bounds, <c>multipleOf</c>, <c>minProperties</c>/<c>maxProperties</c>, <c>uniqueItems</c>,
/// other string formats. When <c>additionalProperties</c> is absent no extra properties are generated (a valid subset).
/// This type is not thread-safe.
/// </remarks>
internal sealed class JsonSchemaGrammarBuilder
{
    private static readonly JsonSerializerOptions s_compactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonGrammarOptions _options;
    private readonly Dictionary<string, string> _primitives = new(StringComparer.Ordinal);

    /// <summary>Creates a builder with the given bounds (or <see cref="JsonGrammarOptions.Default"/>).</summary>
    public JsonSchemaGrammarBuilder(JsonGrammarOptions? options = null)
    {
        _options = options ?? JsonGrammarOptions.Default;
    }

    /// <summary>The rules collected so far; callers add their own wrapper rules here.</summary>
    public GbnfRuleSet Rules { get; } = new();

    /// <summary>The name of the optional, bounded whitespace rule placed between JSON tokens.</summary>
    public string Whitespace => Primitive("ws");

    /// <summary>Builds a grammar whose root is a value of <paramref name="schema"/>.</summary>
    public static GbnfGrammar ForSchema(JsonElement schema, JsonGrammarOptions? options = null)
    {
        var builder = new JsonSchemaGrammarBuilder(options);
        string rule = builder.AddSchema(schema, "value");
        return builder.Rules.Build(rule);
    }

    /// <summary>Builds a grammar for any JSON object (nesting bounded by <see cref="JsonGrammarOptions.MaxNestingDepth"/>).</summary>
    public static GbnfGrammar ForAnyJsonObject(JsonGrammarOptions? options = null)
    {
        var builder = new JsonSchemaGrammarBuilder(options);
        return builder.Rules.Build(builder.AnyObject(builder._options.MaxNestingDepth));
    }

    /// <summary>The GBNF literal for <paramref name="text"/> written as a JSON string (with quotes).</summary>
    public static string JsonStringLiteral(string text) => GbnfRuleSet.Literal(JsonSerializer.Serialize(text, s_compactJson));

    /// <summary>
    /// Adds the rules for <paramref name="schema"/> (a whole schema document: local <c>$ref</c>s resolve against it)
    /// and returns the name of the rule matching one value.
    /// </summary>
    /// <exception cref="NotSupportedException">The schema uses a remote <c>$ref</c> or is <c>false</c>.</exception>
    /// <exception cref="ArgumentException">The schema is malformed or unsatisfiable (e.g. an empty integer range).</exception>
    public string AddSchema(JsonElement schema, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Visit(schema, name, new SchemaDocument(schema));
    }

    private string Visit(JsonElement schema, string name, SchemaDocument document)
    {
        if (schema.ValueKind == JsonValueKind.True || (schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any()))
        {
            return AnyValue(_options.MaxNestingDepth);
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw schema.ValueKind == JsonValueKind.False
                ? new NotSupportedException("The schema 'false' matches nothing.")
                : new ArgumentException($"A schema must be an object or a boolean, not {schema.ValueKind}.");
        }

        if (TryGetString(schema, "$ref", out string? reference))
        {
            return VisitReference(reference, document);
        }

        if (schema.TryGetProperty("const", out JsonElement constant))
        {
            return Rules.Add(name, ValueLiteral(constant));
        }

        if (schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array)
        {
            return Rules.Add(name, string.Join(" | ", values.EnumerateArray().Select(ValueLiteral)));
        }

        if (TryGetArray(schema, "anyOf", out JsonElement choices) || TryGetArray(schema, "oneOf", out choices))
        {
            var alternatives = choices.EnumerateArray().Select((choice, i) => Visit(choice, $"{name}-{i}", document));
            return Rules.Add(name, string.Join(" | ", alternatives));
        }

        if (TryGetArray(schema, "allOf", out _))
        {
            return Visit(MergeAllOf(schema, document), name, document);
        }

        string typed = schema.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.Array
            ? string.Join(" | ", type.EnumerateArray().Select(t => VisitType(schema, t.GetString() ?? string.Empty, $"{name}-{t.GetString()}", document)))
            : VisitType(schema, type.ValueKind == JsonValueKind.String ? type.GetString()! : InferType(schema), name, document);

        bool nullable = schema.TryGetProperty("nullable", out JsonElement n) && n.ValueKind == JsonValueKind.True;
        return nullable || typed.Contains('|', StringComparison.Ordinal)
            ? Rules.Add(name, typed + (nullable ? " | " + Primitive("null") : string.Empty))
            : typed;
    }

    private string VisitReference(string reference, SchemaDocument document)
    {
        if (document.ReferenceRules.TryGetValue(reference, out string? known))
        {
            return known;
        }

        if (!reference.StartsWith('#'))
        {
            throw new NotSupportedException($"Only local $ref values are supported, not '{reference}'.");
        }

        JsonElement target = document.Resolve(reference);

        // Reserve the name first so that a recursive schema refers back to this rule.
        string ruleName = document.ReferenceRules[reference] = Rules.Reserve("ref-" + reference.Split('/')[^1]);
        string body = Visit(target, ruleName + "-body", document);
        Rules.Define(ruleName, body);
        return ruleName;
    }

    private static string InferType(JsonElement schema) =>
        schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) || schema.TryGetProperty("required", out _) ? "object"
        : schema.TryGetProperty("items", out _) || schema.TryGetProperty("prefixItems", out _) ? "array"
        : schema.TryGetProperty("pattern", out _) || schema.TryGetProperty("format", out _) || schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _) ? "string"
        : string.Empty;

    private string VisitType(JsonElement schema, string type, string name, SchemaDocument document) => type switch
    {
        "object" => VisitObject(schema, name, document),
        "array" => VisitArray(schema, name, document),
        "string" => VisitString(schema, name),
        "integer" => VisitInteger(schema, name),
        "number" => Primitive("number"),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        "" => AnyValue(_options.MaxNestingDepth),
        _ => throw new ArgumentException($"Unknown JSON schema type '{type}'."),
    };

    private string VisitObject(JsonElement schema, string name, SchemaDocument document)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (TryGetArray(schema, "required", out JsonElement requiredNames))
        {
            required.UnionWith(requiredNames.EnumerateArray().Select(e => e.GetString() ?? string.Empty));
        }

        string ws = Whitespace;
        var members = new List<(string Rule, bool Required)>();
        var declared = new List<string>();
        if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                declared.Add(property.Name);
                string value = Visit(property.Value, $"{name}-{property.Name}", document);
                string member = Rules.Add($"{name}-{property.Name}-kv", $"{JsonStringLiteral(property.Name)} {ws} \":\" {ws} {value} {ws}");
                members.Add((member, required.Contains(property.Name)));
            }
        }

        // Required names without a declared schema still have to appear.
        foreach (string missing in required.Where(r => !declared.Contains(r)))
        {
            declared.Add(missing);
            members.Add((Rules.Add($"{name}-{missing}-kv", $"{JsonStringLiteral(missing)} {ws} \":\" {ws} {AnyValue(_options.MaxNestingDepth)} {ws}"), true));
        }

        string? extra = null;
        if (schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind != JsonValueKind.False)
        {
            string value = additional.ValueKind == JsonValueKind.True ? AnyValue(_options.MaxNestingDepth) : Visit(additional, $"{name}-additional", document);
            string key = Rules.Add($"{name}-additional-key", KeyExcluding(declared));
            extra = Rules.Add($"{name}-additional-kv", $"{key} {ws} \":\" {ws} {value} {ws}");
        }

        return Rules.Add(name, $"\"{{\" {ws} {ObjectBody(members, extra)}\"}}\"");
    }

    // Members keep their declared order; optional ones may be skipped, and commas appear only between
    // members that are present. Before the first present member the choice of which one comes first is
    // explicit; after it, each further member is ("," member) or ("," member)?.
    private string ObjectBody(List<(string Rule, bool Required)> members, string? extra)
    {
        string ws = Whitespace;
        string extraTail = extra is null ? string.Empty : $"(\",\" {ws} {extra}){{0,{_options.MaxArrayItems}}} ";
        var firsts = new List<string>();
        for (int i = 0; i < members.Count; i++)
        {
            var sequence = new List<string> { members[i].Rule };
            for (int j = i + 1; j < members.Count; j++)
            {
                sequence.Add(members[j].Required ? $"\",\" {ws} {members[j].Rule}" : $"(\",\" {ws} {members[j].Rule})?");
            }

            firsts.Add(string.Join(" ", sequence) + " " + extraTail);
            if (members[i].Required)
            {
                break;
            }
        }

        bool allOptional = members.All(m => !m.Required);
        if (allOptional && extra is not null)
        {
            firsts.Add($"{extra} (\",\" {ws} {extra}){{0,{_options.MaxArrayItems - 1}}} ");
        }

        if (firsts.Count == 0)
        {
            return string.Empty;
        }

        string body = firsts.Count == 1 ? firsts[0] : "(" + string.Join(" | ", firsts.Select(f => f.TrimEnd())) + ") ";
        return allOptional ? "(" + body.TrimEnd() + ")? " : body;
    }

    // A JSON string that is none of the declared names, so that an extra property never repeats one.
    // Escapes are excluded here because "\u0061" would spell "a" and sneak past the comparison.
    private string KeyExcluding(IReadOnlyCollection<string> excluded)
    {
        const string PlainChar = "[^\"\\\\\\x7F\\x00-\\x1F]";
        int max = _options.MaxStringLength;
        if (excluded.Count == 0)
        {
            return $"\"\\\"\" {PlainChar}{{0,{max}}} \"\\\"\"";
        }

        // Names that JSON must escape, or that are too long, can never equal an unescaped key of bounded length.
        var words = excluded.Where(w => w.Length < max && w.All(c => c is >= ' ' and not '"' and not '\\' and not (char)0x7F && !char.IsSurrogate(c))).ToList();
        return $"\"\\\"\" ({KeyTrieNode(words, 0, max)}) \"\\\"\"";
    }

    // Accepts any key text except the words in 'words', which all share their first 'depth' characters with the text so far.
    private string KeyTrieNode(List<string> words, int depth, int remaining)
    {
        const string PlainChar = "[^\"\\\\\\x7F\\x00-\\x1F]";
        var alternatives = new List<string>();
        bool isWordEnd = words.Any(w => w.Length == depth);
        if (!isWordEnd)
        {
            alternatives.Add("\"\"");
        }

        var byNext = words.Where(w => w.Length > depth).GroupBy(w => w[depth]).ToList();
        if (remaining > 0)
        {
            foreach (var group in byNext)
            {
                string next = KeyTrieNode(group.ToList(), depth + 1, remaining - 1);
                alternatives.Add($"{GbnfRuleSet.Literal(group.Key.ToString())} ({next})");
            }

            string others = string.Concat(byNext.Select(g => GbnfRuleSet.ClassChar(g.Key)));
            alternatives.Add($"[^\"\\\\\\x7F\\x00-\\x1F{others}] {PlainChar}{{0,{remaining - 1}}}");
        }

        return string.Join(" | ", alternatives);
    }

    private string VisitArray(JsonElement schema, string name, SchemaDocument document)
    {
        string ws = Whitespace;
        var prefix = new List<string>();
        JsonElement? items = null;
        if (TryGetArray(schema, "prefixItems", out JsonElement tuple))
        {
            prefix.AddRange(tuple.EnumerateArray().Select((s, i) => Visit(s, $"{name}-{i}", document)));
            if (schema.TryGetProperty("items", out JsonElement rest))
            {
                items = rest;
            }
        }
        else if (TryGetArray(schema, "items", out JsonElement oldTuple))
        {
            // Draft 4-7 tuple form: "items" is an array, "additionalItems" the rest.
            prefix.AddRange(oldTuple.EnumerateArray().Select((s, i) => Visit(s, $"{name}-{i}", document)));
            if (schema.TryGetProperty("additionalItems", out JsonElement rest))
            {
                items = rest;
            }
        }
        else
        {
            items = schema.TryGetProperty("items", out JsonElement single) ? single : JsonSerializer.SerializeToElement(true);
        }

        int minItems = GetInt(schema, "minItems") ?? 0;
        int? maxItems = GetInt(schema, "maxItems");
        if (items is { ValueKind: JsonValueKind.False } || items is null)
        {
            maxItems = Math.Min(maxItems ?? prefix.Count, prefix.Count);
        }

        int max = maxItems ?? Math.Max(minItems, prefix.Count + _options.MaxArrayItems);
        if (max < minItems)
        {
            throw new ArgumentException($"Array '{name}' has maxItems < minItems.");
        }

        string? itemRule = items is { ValueKind: not JsonValueKind.False } ? Visit(items.Value, name + "-item", document) : null;
        string Entry(int index) => (index == 0 ? string.Empty : $"\",\" {ws} ") + $"{(index < prefix.Count ? prefix[index] : itemRule)} {ws}";

        // Items up to minItems are mandatory; later ones nest as optionals so that a comma comes only before a
        // present item. Past the tuple and the mandatory items every item is alike: a bounded repetition says it shortly.
        string tail = string.Empty;
        int uniformStart = Math.Max(Math.Max(prefix.Count, minItems), 1);
        int position = max - 1;
        if (itemRule is not null && max > uniformStart)
        {
            tail = $"(\",\" {ws} {itemRule} {ws}){{0,{max - uniformStart}}}";
            position = uniformStart - 1;
        }

        for (; position >= minItems; position--)
        {
            tail = $"({Entry(position)} {tail})?";
        }

        string head = string.Join(" ", Enumerable.Range(0, minItems).Select(Entry));
        return Rules.Add(name, $"\"[\" {ws} {head} {tail} \"]\"");
    }

    private string VisitString(JsonElement schema, string name)
    {
        if (TryGetString(schema, "format", out string? format) && format is "date" or "time" or "date-time" or "uuid")
        {
            return Rules.Add(name, $"\"\\\"\" {Primitive(format)} \"\\\"\"");
        }

        if (TryGetString(schema, "pattern", out string? pattern) && RegexPatternGrammar.TryTranslate(pattern, _options.MaxStringLength, out string expression))
        {
            return Rules.Add(name, $"\"\\\"\" {expression} \"\\\"\"");
        }

        int min = GetInt(schema, "minLength") ?? 0;
        int max = GetInt(schema, "maxLength") ?? Math.Max(min, _options.MaxStringLength);
        if (min == 0 && max == _options.MaxStringLength)
        {
            return Primitive("string");
        }

        // Validators disagree on whether a character outside the BMP counts once or twice: leaving those out satisfies both.
        return Rules.Add(name, $"\"\\\"\" {Primitive("bmp-char")}{{{min},{max}}} \"\\\"\"");
    }

    private string VisitInteger(JsonElement schema, string name)
    {
        long? min = GetLong(schema, "minimum");
        long? max = GetLong(schema, "maximum");

        // Draft 6+: exclusive bounds are numbers; draft 4: booleans modifying minimum/maximum.
        if (GetLong(schema, "exclusiveMinimum") is { } exclusiveMin)
        {
            min = Math.Max(min ?? long.MinValue, exclusiveMin + 1);
        }
        else if (schema.TryGetProperty("exclusiveMinimum", out JsonElement flag) && flag.ValueKind == JsonValueKind.True && min is not null)
        {
            min++;
        }

        if (GetLong(schema, "exclusiveMaximum") is { } exclusiveMax)
        {
            max = Math.Min(max ?? long.MaxValue, exclusiveMax - 1);
        }
        else if (schema.TryGetProperty("exclusiveMaximum", out JsonElement flag) && flag.ValueKind == JsonValueKind.True && max is not null)
        {
            max--;
        }

        return min is null && max is null
            ? Primitive("integer")
            : Rules.Add(name, IntegerRangeGrammar.Expression(min, max, _options.MaxNumberDigits));
    }

    private const int UnboundedIntegerDigits = 9;

    private string AnyValue(int depth) => depth <= 0
        ? Rules.Add("value-scalar", $"{Primitive("string")} | {Primitive("number")} | {Primitive("boolean")} | {Primitive("null")}")
        : Rules.Add($"value-d{depth}", $"{AnyObject(depth)} | {AnyArray(depth)} | {AnyValue(0)}");

    private string AnyObject(int depth)
    {
        string ws = Whitespace;
        string member = Rules.Add($"member-d{depth}", $"{Primitive("string")} {ws} \":\" {ws} {AnyValue(depth - 1)} {ws}");
        return Rules.Add($"object-d{depth}", $"\"{{\" {ws} ({member} (\",\" {ws} {member}){{0,{_options.MaxArrayItems - 1}}})? \"}}\"");
    }

    private string AnyArray(int depth)
    {
        string ws = Whitespace;
        string item = AnyValue(depth - 1);
        return Rules.Add($"array-d{depth}", $"\"[\" {ws} ({item} {ws} (\",\" {ws} {item} {ws}){{0,{_options.MaxArrayItems - 1}}})? \"]\"");
    }

    // Shared building blocks, added on first use.
    private string Primitive(string name)
    {
        if (_primitives.TryGetValue(name, out string? rule))
        {
            return rule;
        }

        int digits = _options.MaxNumberDigits;
        string body = name switch
        {
            "ws" => $"(\" \" | \"\\n\" [ \\t]{{0,{_options.MaxIndentation}}})?",

            // Unescaped characters except controls, plus escapes; \u escapes exclude lone surrogates, which strict JSON readers reject.
            "escape" => "\"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))",
            "char" => "[^\"\\\\\\x7F\\x00-\\x1F] | " + Primitive("escape"),
            "bmp-char" => "[^\"\\\\\\x7F\\x00-\\x1F\\U00010000-\\U0010FFFF] | " + Primitive("escape"),
            "string" => $"\"\\\"\" {Primitive("char")}{{0,{_options.MaxStringLength}}} \"\\\"\"",
            "integral" => $"\"0\" | [1-9] [0-9]{{0,{digits - 1}}}",
            // An integer without bounds fits an Int32 (9 digits), the type most callers read it into; a schema that
            // needs more says so with minimum/maximum.
            "integer" => $"\"-\"? (\"0\" | [1-9] [0-9]{{0,{UnboundedIntegerDigits - 1}}})",

            // The exponent stays small so that every number fits a double.
            "number" => $"\"-\"? {Primitive("integral")} (\".\" [0-9]{{1,{digits}}})? ([eE] [-+]? [0-9]{{1,2}})?",
            "boolean" => "\"true\" | \"false\"",
            "null" => "\"null\"",

            // Day ranges follow the month so that every date exists (29 February is left out).
            "date" => "[1-9] [0-9]{3} \"-\" (" +
                "(\"0\" [13578] | \"1\" [02]) \"-\" (\"0\" [1-9] | [12] [0-9] | \"3\" [01]) | " +
                "(\"0\" [469] | \"11\") \"-\" (\"0\" [1-9] | [12] [0-9] | \"30\") | " +
                "\"02\" \"-\" (\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]))",
            "time" => "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] (\".\" [0-9]{1,6})? (\"Z\" | [+\\-] (\"0\" [0-9] | \"1\" [0-3]) \":\" [0-5] [0-9])",
            "date-time" => $"{Primitive("date")} \"T\" {Primitive("time")}",
            "uuid" => "[0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12}",
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown primitive."),
        };

        rule = Rules.Reserve(name);
        _primitives[name] = rule;
        Rules.Define(rule, body);
        return rule;
    }

    private static string ValueLiteral(JsonElement value) => GbnfRuleSet.Literal(JsonSerializer.Serialize(value, s_compactJson));

    private static JsonElement MergeAllOf(JsonElement schema, SchemaDocument document)
    {
        var merged = new JsonObject();
        MergeInto(merged, schema, document);
        return JsonSerializer.SerializeToElement(merged);
    }

    // Shallow merge: properties are united, required lists joined, other keywords overwritten by later parts.
    private static void MergeInto(JsonObject target, JsonElement schema, SchemaDocument document)
    {
        if (TryGetString(schema, "$ref", out string? reference))
        {
            MergeInto(target, document.Resolve(reference), document);
        }

        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "$ref":
                    break;
                case "allOf":
                    foreach (JsonElement part in keyword.Value.EnumerateArray())
                    {
                        MergeInto(target, part, document);
                    }

                    break;
                case "properties" when target["properties"] is JsonObject existing:
                    foreach (JsonProperty property in keyword.Value.EnumerateObject())
                    {
                        existing[property.Name] = JsonNode.Parse(property.Value.GetRawText());
                    }

                    break;
                case "required" when target["required"] is JsonArray existing:
                    foreach (JsonElement item in keyword.Value.EnumerateArray())
                    {
                        if (!existing.Any(e => e?.GetValue<string>() == item.GetString()))
                        {
                            existing.Add(item.GetString());
                        }
                    }

                    break;
                default:
                    target[keyword.Name] = JsonNode.Parse(keyword.Value.GetRawText());
                    break;
            }
        }
    }

    private static bool TryGetString(JsonElement schema, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = schema.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return value is not null;
    }

    private static bool TryGetArray(JsonElement schema, string name, out JsonElement value) =>
        schema.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Array;

    private static long? GetLong(JsonElement schema, string name)
    {
        if (!schema.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (e.TryGetInt64(out long exact))
        {
            return exact;
        }

        // A fractional bound on an integer: round towards the inside of the range.
        double d = e.GetDouble();
        return name.Contains("inimum", StringComparison.Ordinal) ? (long)Math.Ceiling(d) : (long)Math.Floor(d);
    }

    private static int? GetInt(JsonElement schema, string name) =>
        GetLong(schema, name) is { } value ? (int)Math.Clamp(value, 0, int.MaxValue) : null;

    /// <summary>One schema document: the target of its local references and the rules made for them.</summary>
    private sealed class SchemaDocument(JsonElement root)
    {
        public Dictionary<string, string> ReferenceRules { get; } = new(StringComparer.Ordinal);

        public JsonElement Resolve(string reference)
        {
            JsonElement current = root;
            foreach (string rawSegment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                string segment = Uri.UnescapeDataString(rawSegment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                current = current.ValueKind switch
                {
                    JsonValueKind.Object when current.TryGetProperty(segment, out JsonElement child) => child,
                    JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.GetArrayLength() => current[index],
                    _ => throw new ArgumentException($"The $ref '{reference}' does not resolve."),
                };
            }

            return current;
        }
    }
}
