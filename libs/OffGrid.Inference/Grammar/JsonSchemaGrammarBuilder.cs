using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OffGrid.Inference.Grammar;

/// <summary>
/// Turns JSON schemas into GBNF rules that accept only compact JSON documents (no whitespace between tokens)
/// valid against the schema (a subset of them where a bound keeps generation finite). One builder can hold several
/// schemas, e.g. the parameters of several tools, sharing the primitive rules.
/// </summary>
/// <remarks>
/// Enforced: <c>type</c> (single or array), objects (<c>properties</c> in declared order, <c>required</c>,
/// <c>additionalProperties</c>, <c>minProperties</c>/<c>maxProperties</c> where the other keywords already imply
/// them), arrays (<c>items</c>, <c>prefixItems</c>, <c>minItems</c>, <c>maxItems</c>), <c>enum</c>, <c>const</c>,
/// <c>$ref</c> into <c>$defs</c>/<c>definitions</c> (any local JSON pointer), <c>anyOf</c>/<c>oneOf</c> (as
/// alternatives), <c>allOf</c> (merged), string <c>minLength</c>/<c>maxLength</c>, <c>pattern</c> (see
/// <see cref="RegexPatternGrammar"/>), formats <c>date</c>, <c>time</c>, <c>date-time</c>, <c>uuid</c>, and
/// <c>minimum</c>/<c>maximum</c> (inclusive or exclusive) for integers and numbers. Strings, enums and constants are
/// Unicode throughout: characters outside the Basic Multilingual Plane come out as themselves.
/// Refused with <see cref="UnsupportedSchemaException"/> rather than ignored: <c>if</c>/<c>then</c>/<c>else</c>,
/// <c>not</c>, <c>dependentSchemas</c>, <c>dependentRequired</c>, <c>dependencies</c>, <c>patternProperties</c>,
/// <c>propertyNames</c>, <c>unevaluatedProperties</c>, <c>unevaluatedItems</c>, <c>contains</c>, <c>multipleOf</c>,
/// <c>uniqueItems</c>, dynamic and remote references, patterns with look-arounds or back-references, and bounds that
/// cannot be met. Not enforced: <c>oneOf</c> exclusivity and string formats other than the four above (JSON Schema
/// defines <c>format</c> as an annotation). When <c>additionalProperties</c> is absent no extra properties are
/// generated (a valid subset). This type is not thread-safe.
/// </remarks>
internal sealed class JsonSchemaGrammarBuilder
{
    private static readonly string[] s_refusedKeywords =
    [
        "if", "then", "else", "not", "dependentSchemas", "dependentRequired", "dependencies", "patternProperties", "propertyNames",
        "unevaluatedProperties", "unevaluatedItems", "contains", "minContains", "maxContains", "$dynamicRef", "$recursiveRef",
    ];

    private static readonly HashSet<string> s_annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
    };

    private readonly JsonGrammarOptions _options;
    private readonly Dictionary<string, string> _primitives = new(StringComparer.Ordinal);

    // References whose content allOf has merged into the schema being visited, outermost first. The same one may be
    // open a few times over (two types sharing a base, one inside the other); more means a recursion through allOf.
    private const int MaxOpenMerges = 3;
    private readonly List<string> _inlinedReferences = [];

    // The largest lower bound met so far (minItems, minLength or a pattern's repetition): named when a schema's shortest value is too long.
    private (int Value, string Keyword, string Path) _largestMinimum = (0, "minLength", "#");

    // The largest upper bound met so far (maxItems, maxLength): named when the grammar grows too large to hand to llama.cpp.
    private (int Value, string Keyword, string Path) _largestMaximum = (0, "maxLength", "#");

    /// <summary>Creates a builder with the given bounds (or <see cref="JsonGrammarOptions.Default"/>).</summary>
    public JsonSchemaGrammarBuilder(JsonGrammarOptions? options = null)
    {
        _options = options ?? JsonGrammarOptions.Default;
    }

    /// <summary>The rules collected so far; callers add their own wrapper rules here.</summary>
    public GbnfRuleSet Rules { get; } = new();

    /// <summary>Builds a grammar whose root is a value of <paramref name="schema"/>.</summary>
    /// <exception cref="UnsupportedSchemaException">The schema cannot be enforced.</exception>
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
    public static string JsonStringLiteral(string text) => GbnfRuleSet.Literal(CompactJson.Quote(text));

    /// <summary>
    /// Adds the rules for <paramref name="schema"/> (a whole schema document: local <c>$ref</c>s resolve against it)
    /// and returns the name of the rule matching one value.
    /// </summary>
    /// <exception cref="UnsupportedSchemaException">The schema is malformed, unsatisfiable, or uses a feature that cannot be enforced.</exception>
    public string AddSchema(JsonElement schema, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string rule = Visit(schema, name, "#", new SchemaDocument(schema));
        CheckGenerable(rule);
        return rule;
    }

    // Recursion through $ref can make a grammar that never ends or that llama.cpp refuses (left recursion), and minimum
    // counts multiply through nesting into values longer than any context. Both show on the compiled grammar.
    private void CheckGenerable(string rule)
    {
        CompiledGrammar compiled;
        try
        {
            compiled = CompiledGrammar.Parse(Rules.Build(rule).Text);
        }
        catch (FormatException ex)
        {
            // The builder writes well-formed GBNF: the only way it fails to compile is its size.
            throw new UnsupportedSchemaException(_largestMaximum.Keyword, _largestMaximum.Path, $"{ex.Message} Lower the maximum counts or share them through '$ref'.");
        }

        if (compiled.HasLeftRecursion())
        {
            throw new UnsupportedSchemaException("$ref", "#",
                "the schema refers to itself before any of its value is written ('$ref' to itself, or an 'anyOf' whose choice is itself), so there is no value to generate.");
        }

        if (!compiled.CanFinish)
        {
            throw new UnsupportedSchemaException("$ref", "#",
                "every value of the schema must contain another value of it (a required property or item that refers back to it), so a value never ends.");
        }

        long shortest = compiled.MinBytes[compiled.Root];
        if (shortest > _options.MaxShortestValueBytes)
        {
            throw new UnsupportedSchemaException(_largestMinimum.Keyword, _largestMinimum.Path,
                $"the shortest value the schema allows is {shortest} bytes long, more than the {_options.MaxShortestValueBytes} a reply may hold; lower the minimum counts.");
        }
    }

    private string Visit(JsonElement schema, string name, string path, SchemaDocument document)
    {
        if (schema.ValueKind == JsonValueKind.True || (schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any()))
        {
            return AnyValue(_options.MaxNestingDepth);
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw schema.ValueKind == JsonValueKind.False
                ? new UnsupportedSchemaException("false", path, "the schema 'false' matches nothing.")
                : new UnsupportedSchemaException("type", path, $"a schema must be an object or a boolean, not {schema.ValueKind}.");
        }

        SchemaShape.Check(schema, path);
        CheckKeywords(schema, path);
        if (TryGetString(schema, "$ref", out string? reference))
        {
            return VisitReference(reference, path, document);
        }

        if (schema.TryGetProperty("const", out JsonElement constant))
        {
            return Rules.Add(name, ValueLiteral(constant));
        }

        if (schema.TryGetProperty("enum", out JsonElement values))
        {
            return Rules.Add(name, string.Join(" | ", values.EnumerateArray().Select(ValueLiteral)));
        }

        if (TryGetArray(schema, "anyOf", out JsonElement choices) || TryGetArray(schema, "oneOf", out choices))
        {
            string keyword = schema.TryGetProperty("anyOf", out _) ? "anyOf" : "oneOf";
            var alternatives = choices.EnumerateArray().Select((choice, i) => Visit(choice, $"{name}-{i}", $"{path}/{keyword}/{i}", document));
            return Rules.Add(name, string.Join(" | ", alternatives));
        }

        if (TryGetArray(schema, "allOf", out JsonElement parts))
        {
            // allOf: [{ "$ref": … }] beside annotations (what schema generators write to describe a referenced type) is
            // the reference itself, so a recursive type stays one rule instead of being inlined.
            if (parts.GetArrayLength() == 1 && parts[0].ValueKind == JsonValueKind.Object && TryGetString(parts[0], "$ref", out string? only) && parts[0].EnumerateObject().Count() == 1
                && schema.EnumerateObject().All(k => k.Name == "allOf" || s_annotations.Contains(k.Name)))
            {
                return VisitReference(only, path + "/allOf/0", document);
            }

            // The references merged here stay open while the merged schema is visited: meeting one again is a cycle.
            int open = _inlinedReferences.Count;
            try
            {
                return Visit(MergeAllOf(schema, path, document), name, path, document);
            }
            finally
            {
                _inlinedReferences.RemoveRange(open, _inlinedReferences.Count - open);
            }
        }

        string typed = schema.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.Array
            ? string.Join(" | ", type.EnumerateArray().Select(t => VisitType(schema, t.GetString() ?? string.Empty, $"{name}-{t.GetString()}", path, document)))
            : VisitType(schema, type.ValueKind == JsonValueKind.String ? type.GetString()! : InferType(schema), name, path, document);

        bool nullable = schema.TryGetProperty("nullable", out JsonElement n) && n.ValueKind == JsonValueKind.True;
        return nullable || typed.Contains('|', StringComparison.Ordinal)
            ? Rules.Add(name, typed + (nullable ? " | " + Primitive("null") : string.Empty))
            : typed;
    }

    // Keywords that constrain values in ways a grammar cannot follow are refused, never ignored.
    private static void CheckKeywords(JsonElement schema, string path)
    {
        foreach (string keyword in s_refusedKeywords)
        {
            if (schema.TryGetProperty(keyword, out _))
            {
                throw new UnsupportedSchemaException(keyword, path, $"OffGrid cannot constrain generation with '{keyword}'; remove it or express the rule with properties, anyOf or enum.");
            }
        }

        if (schema.TryGetProperty("uniqueItems", out JsonElement unique) && unique.ValueKind == JsonValueKind.True && !(GetDecimal(schema, "maxItems") <= 1))
        {
            throw new UnsupportedSchemaException("uniqueItems", path, "OffGrid cannot keep array items distinct while generating; remove 'uniqueItems' or use maxItems 1.");
        }

        if (GetDecimal(schema, "multipleOf") is { } multiple && !(multiple == 1 && IsIntegerSchema(schema)))
        {
            throw new UnsupportedSchemaException("multipleOf", path, "OffGrid cannot constrain numbers to multiples while generating.");
        }
    }

    private static bool IsIntegerSchema(JsonElement schema) => schema.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String && type.GetString() == "integer";

    private string VisitReference(string reference, string path, SchemaDocument document)
    {
        if (document.ReferenceRules.TryGetValue(reference, out string? known))
        {
            return known;
        }

        if (!reference.StartsWith('#'))
        {
            throw new UnsupportedSchemaException("$ref", path, $"only local references ('#/...') are supported, not '{reference}'.");
        }

        JsonElement target = document.Resolve(reference, path);

        // Reserve the name first so that a recursive schema refers back to this rule.
        string ruleName = document.ReferenceRules[reference] = Rules.Reserve("ref-" + reference.Split('/')[^1]);
        string body = Visit(target, ruleName + "-body", reference, document);
        Rules.Define(ruleName, body);
        return ruleName;
    }

    private static string InferType(JsonElement schema) =>
        schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) || schema.TryGetProperty("required", out _) ? "object"
        : schema.TryGetProperty("items", out _) || schema.TryGetProperty("prefixItems", out _) ? "array"
        : schema.TryGetProperty("pattern", out _) || schema.TryGetProperty("format", out _) || schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _) ? "string"
        : schema.TryGetProperty("minimum", out _) || schema.TryGetProperty("maximum", out _) || schema.TryGetProperty("exclusiveMinimum", out _) || schema.TryGetProperty("exclusiveMaximum", out _) ? "number"
        : string.Empty;

    private string VisitType(JsonElement schema, string type, string name, string path, SchemaDocument document) => type switch
    {
        "object" => VisitObject(schema, name, path, document),
        "array" => VisitArray(schema, name, path, document),
        "string" => VisitString(schema, name, path),
        "integer" => VisitNumber(schema, name, path, integer: true),
        "number" => VisitNumber(schema, name, path, integer: false),
        "boolean" => Primitive("boolean"),
        "null" => Primitive("null"),
        "" => AnyValue(_options.MaxNestingDepth),
        _ => throw new UnsupportedSchemaException("type", path, $"'{type}' is not a JSON schema type."),
    };

    private string VisitObject(JsonElement schema, string name, string path, SchemaDocument document)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (TryGetArray(schema, "required", out JsonElement requiredNames))
        {
            required.UnionWith(requiredNames.EnumerateArray().Select(e => e.GetString() ?? string.Empty));
        }

        var members = new List<(string Rule, bool Required)>();
        var declared = new List<string>();
        if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                declared.Add(property.Name);
                string value = Visit(property.Value, $"{name}-{property.Name}", $"{path}/properties/{EscapePointer(property.Name)}", document);
                string member = Rules.Add($"{name}-{property.Name}-kv", $"{JsonStringLiteral(property.Name)} \":\" {value}");
                members.Add((member, required.Contains(property.Name)));
            }
        }

        // Required names without a declared schema still have to appear.
        foreach (string missing in required.Where(r => !declared.Contains(r)))
        {
            declared.Add(missing);
            members.Add((Rules.Add($"{name}-{missing}-kv", $"{JsonStringLiteral(missing)} \":\" {AnyValue(_options.MaxNestingDepth)}"), true));
        }

        string? extra = null;
        if (schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind != JsonValueKind.False)
        {
            string value = additional.ValueKind == JsonValueKind.True ? AnyValue(_options.MaxNestingDepth) : Visit(additional, $"{name}-additional", path + "/additionalProperties", document);
            string key = Rules.Add($"{name}-additional-key", KeyExcluding(declared));
            extra = Rules.Add($"{name}-additional-kv", $"{key} \":\" {value}");
        }

        CheckPropertyCounts(schema, path, required.Count, extra is null ? members.Count : int.MaxValue);
        return Rules.Add(name, $"\"{{\" {ObjectBody(members, extra)}\"}}\"");
    }

    // minProperties and maxProperties are accepted where required names and declared properties already imply them.
    private static void CheckPropertyCounts(JsonElement schema, string path, int fewest, int most)
    {
        if (GetDecimal(schema, "minProperties") is { } min && min > fewest)
        {
            throw new UnsupportedSchemaException("minProperties", path, $"only {fewest} properties are required; list at least {min} in 'required' instead.");
        }

        if (GetDecimal(schema, "maxProperties") is { } max && max < most)
        {
            throw new UnsupportedSchemaException("maxProperties", path, "the object may have more properties than that; declare them and set 'additionalProperties': false instead.");
        }
    }

    // Members keep their declared order; optional ones may be skipped, and commas appear only between
    // members that are present. Before the first present member the choice of which one comes first is
    // explicit; after it, each further member is ("," member) or ("," member)?.
    private string ObjectBody(List<(string Rule, bool Required)> members, string? extra)
    {
        string extraTail = extra is null ? string.Empty : $"(\",\" {extra}){{0,{_options.MaxArrayItems}}} ";
        var firsts = new List<string>();
        for (int i = 0; i < members.Count; i++)
        {
            var sequence = new List<string> { members[i].Rule };
            for (int j = i + 1; j < members.Count; j++)
            {
                sequence.Add(members[j].Required ? $"\",\" {members[j].Rule}" : $"(\",\" {members[j].Rule})?");
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
            firsts.Add($"{extra} (\",\" {extra}){{0,{_options.MaxArrayItems - 1}}} ");
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
        var words = excluded
            .Select(w => w.EnumerateRunes().Select(r => r.Value).ToArray())
            .Where(w => w.Length < max && w.All(c => c is >= ' ' and not '"' and not '\\' and not 0x7F))
            .ToList();
        return $"\"\\\"\" ({KeyTrieNode(words, 0, max)}) \"\\\"\"";
    }

    // Accepts any key text except the words in 'words' (as code points), which all share their first 'depth' characters with the text so far.
    private string KeyTrieNode(List<int[]> words, int depth, int remaining)
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
                alternatives.Add($"{GbnfRuleSet.Literal(char.ConvertFromUtf32(group.Key))} ({next})");
            }

            string others = string.Concat(byNext.Select(g => GbnfRuleSet.ClassChar(g.Key)));
            alternatives.Add($"[^\"\\\\\\x7F\\x00-\\x1F{others}] {PlainChar}{{0,{remaining - 1}}}");
        }

        return string.Join(" | ", alternatives);
    }

    private string VisitArray(JsonElement schema, string name, string path, SchemaDocument document)
    {
        var prefix = new List<string>();
        JsonElement? items = null;
        if (TryGetArray(schema, "prefixItems", out JsonElement tuple))
        {
            prefix.AddRange(tuple.EnumerateArray().Select((s, i) => Visit(s, $"{name}-{i}", $"{path}/prefixItems/{i}", document)));
            if (schema.TryGetProperty("items", out JsonElement rest))
            {
                items = rest;
            }
        }
        else if (TryGetArray(schema, "items", out JsonElement oldTuple))
        {
            // Draft 4-7 tuple form: "items" is an array, "additionalItems" the rest.
            prefix.AddRange(oldTuple.EnumerateArray().Select((s, i) => Visit(s, $"{name}-{i}", $"{path}/items/{i}", document)));
            if (schema.TryGetProperty("additionalItems", out JsonElement rest))
            {
                items = rest;
            }
        }
        else
        {
            items = schema.TryGetProperty("items", out JsonElement single) ? single : JsonSerializer.SerializeToElement(true);
        }

        int minItems = GetMinimum(schema, "minItems", path);
        int? maxItems = GetMaximum(schema, "maxItems", path);
        if (items is { ValueKind: JsonValueKind.False } || items is null)
        {
            maxItems = Math.Min(maxItems ?? prefix.Count, prefix.Count);
        }

        int max = maxItems ?? Math.Max(minItems, prefix.Count + _options.MaxArrayItems);
        if (max < minItems)
        {
            throw new UnsupportedSchemaException("minItems", path, $"at least {minItems} items are required but at most {max} are allowed.");
        }

        string? itemRule = items is { ValueKind: not JsonValueKind.False } ? Visit(items.Value, name + "-item", path + "/items", document) : null;
        string Entry(int index) => (index == 0 ? string.Empty : "\",\" ") + (index < prefix.Count ? prefix[index] : itemRule);

        // Items up to minItems are mandatory; later ones nest as optionals so that a comma comes only before a
        // present item. Past the tuple and the mandatory items every item is alike: a bounded repetition says it shortly.
        string tail = string.Empty;
        int uniformStart = Math.Max(Math.Max(prefix.Count, minItems), 1);
        int position = max - 1;
        if (itemRule is not null && max > uniformStart)
        {
            tail = $"(\",\" {itemRule}){{0,{max - uniformStart}}}";
            position = uniformStart - 1;
        }

        for (; position >= minItems; position--)
        {
            tail = $"({Entry(position)} {tail})?";
        }

        string head = string.Join(" ", Enumerable.Range(0, minItems).Select(Entry));
        return Rules.Add(name, $"\"[\" {head} {tail} \"]\"");
    }

    private string VisitString(JsonElement schema, string name, string path)
    {
        bool lengthBounded = schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _);

        // A format is an annotation (JSON Schema Validation §7.2): where length bounds are given, they are what is enforced.
        if (!lengthBounded && TryGetString(schema, "format", out string? format) && format is "date" or "time" or "date-time" or "uuid")
        {
            return Rules.Add(name, $"\"\\\"\" {Primitive(format)} \"\\\"\"");
        }

        if (TryGetString(schema, "pattern", out string? pattern))
        {
            if (lengthBounded)
            {
                throw new UnsupportedSchemaException("pattern", path, "OffGrid cannot enforce a pattern and minLength/maxLength together; write the length into the pattern with a repetition {m,n} instead.");
            }

            try
            {
                var translation = RegexPatternGrammar.Translate(pattern, _options.MaxStringLength, _options.MaxRepetitions);
                NoteMinimum(translation.LargestMinimum, "pattern", path);
                return Rules.Add(name, $"\"\\\"\" {translation.Expression} \"\\\"\"");
            }
            catch (FormatException ex)
            {
                throw new UnsupportedSchemaException("pattern", path, $"the pattern '{pattern}' is not a regular expression OffGrid can enforce: it has {ex.Message}.");
            }
        }

        int min = GetMinimum(schema, "minLength", path);
        int max = GetMaximum(schema, "maxLength", path) ?? Math.Max(min, _options.MaxStringLength);
        if (max < min)
        {
            throw new UnsupportedSchemaException("minLength", path, $"at least {min} characters are required but at most {max} are allowed.");
        }

        if (min == 0 && max == _options.MaxStringLength)
        {
            return Primitive("string");
        }

        // Validators disagree on whether a character outside the BMP counts once or twice: leaving those out satisfies both.
        return Rules.Add(name, $"\"\\\"\" {Primitive("bmp-char")}{{{min},{max}}} \"\\\"\"");
    }

    private string VisitNumber(JsonElement schema, string name, string path, bool integer)
    {
        // Draft 6+: exclusive bounds are numbers; draft 4: booleans that make minimum/maximum exclusive.
        (decimal Value, bool Exclusive)? low = Bound(schema, "minimum", "exclusiveMinimum");
        (decimal Value, bool Exclusive)? high = Bound(schema, "maximum", "exclusiveMaximum");
        if (low is null && high is null)
        {
            return Primitive(integer ? "integer" : "number");
        }

        // Whole numbers in range, written without a fraction.
        long? intLow = low is { } l ? ToLong(l.Exclusive && decimal.Floor(l.Value) == l.Value ? l.Value + 1 : decimal.Ceiling(l.Value)) : null;
        long? intHigh = high is { } h ? ToLong(h.Exclusive && decimal.Floor(h.Value) == h.Value ? h.Value - 1 : decimal.Floor(h.Value)) : null;
        var alternatives = new List<string>();
        AddRange(alternatives, intLow, intHigh, string.Empty, string.Empty);
        if (!integer)
        {
            // i.f with i >= 0 lies strictly between i and i + 1, and -k.f strictly between -(k + 1) and -k (the fraction
            // ends in a non-zero digit), so both bounds hold even when exclusive. Values between a fractional bound and
            // the nearest whole number are left out: a subset, as everywhere else.
            string fraction = $"\".\" [0-9]{{0,{_options.MaxNumberDigits - 1}}} [1-9]";
            AddRange(alternatives, Math.Max(0, low is { } pl ? ToLong(decimal.Ceiling(pl.Value)) : 0), high is { } ph ? ToLong(decimal.Floor(ph.Value)) - 1 : null, string.Empty, fraction);
            AddRange(alternatives, Math.Max(0, high is { } nh ? ToLong(decimal.Ceiling(-nh.Value)) : 0), low is { } nl ? ToLong(decimal.Floor(-nl.Value)) - 1 : null, "\"-\" ", fraction);
        }

        if (alternatives.Count == 0)
        {
            // Name the bound at fault: the exclusive keyword when it is the tighter one.
            string keyword = low is null ? BoundKeyword(schema, "maximum", "exclusiveMaximum", high!.Value.Exclusive) : BoundKeyword(schema, "minimum", "exclusiveMinimum", low.Value.Exclusive);
            decimal cap = (decimal)Math.Pow(10, Math.Clamp(_options.MaxNumberDigits, 1, 18)) - 1;
            throw new UnsupportedSchemaException(keyword, path, (low?.Value ?? 0) > cap || (high?.Value ?? 0) < -cap
                ? $"OffGrid writes numbers of at most {_options.MaxNumberDigits} digits, and none of them lies in this range."
                : "OffGrid can only generate numbers in this range that are whole or lie between two whole numbers inside it, and there are none.");
        }

        return Rules.Add(name, string.Join(" | ", alternatives));
    }

    private void AddRange(List<string> alternatives, long? low, long? high, string prefix, string suffix)
    {
        long cap = (long)Math.Pow(10, Math.Clamp(_options.MaxNumberDigits, 1, 18)) - 1;
        if (Math.Max(low ?? -cap, -cap) <= Math.Min(high ?? cap, cap))
        {
            alternatives.Add($"{prefix}{IntegerRangeGrammar.Expression(low, high, _options.MaxNumberDigits)} {suffix}".Trim());
        }
    }

    private static string BoundKeyword(JsonElement schema, string inclusiveName, string exclusiveName, bool exclusive) =>
        exclusive && schema.TryGetProperty(exclusiveName, out JsonElement e) && e.ValueKind == JsonValueKind.Number ? exclusiveName : inclusiveName;

    private static (decimal Value, bool Exclusive)? Bound(JsonElement schema, string inclusiveName, string exclusiveName)
    {
        decimal? inclusive = GetDecimal(schema, inclusiveName);
        if (GetDecimal(schema, exclusiveName) is { } exclusive)
        {
            bool tighter = inclusive is null || (inclusiveName == "minimum" ? exclusive >= inclusive : exclusive <= inclusive);
            return tighter ? (exclusive, true) : (inclusive!.Value, false);
        }

        if (inclusive is null)
        {
            return null;
        }

        bool draft4Exclusive = schema.TryGetProperty(exclusiveName, out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
        return (inclusive.Value, draft4Exclusive);
    }

    private static long ToLong(decimal value) => value >= long.MaxValue / 10 ? long.MaxValue / 10 : value <= long.MinValue / 10 ? long.MinValue / 10 : (long)value;

    private const int UnboundedIntegerDigits = 9;

    private string AnyValue(int depth) => depth <= 0
        ? Rules.Add("value-scalar", $"{Primitive("string")} | {Primitive("number")} | {Primitive("boolean")} | {Primitive("null")}")
        : Rules.Add($"value-d{depth}", $"{AnyObject(depth)} | {AnyArray(depth)} | {AnyValue(0)}");

    private string AnyObject(int depth)
    {
        string member = Rules.Add($"member-d{depth}", $"{Primitive("string")} \":\" {AnyValue(depth - 1)}");
        return Rules.Add($"object-d{depth}", $"\"{{\" ({member} (\",\" {member}){{0,{_options.MaxArrayItems - 1}}})? \"}}\"");
    }

    private string AnyArray(int depth)
    {
        string item = AnyValue(depth - 1);
        return Rules.Add($"array-d{depth}", $"\"[\" ({item} (\",\" {item}){{0,{_options.MaxArrayItems - 1}}})? \"]\"");
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

    private static string ValueLiteral(JsonElement value) => GbnfRuleSet.Literal(CompactJson.Write(value));

    private JsonElement MergeAllOf(JsonElement schema, string path, SchemaDocument document)
    {
        var merged = new JsonObject();
        var references = new List<string>();
        MergeInto(merged, schema, path, document, [], references);
        _inlinedReferences.AddRange(references);
        return JsonSerializer.SerializeToElement(merged);
    }

    // Shallow merge: properties are united, required lists joined, other keywords overwritten by later parts.
    // 'chain' holds the references being merged (a cycle when one comes again), 'references' collects every one merged.
    private void MergeInto(JsonObject target, JsonElement schema, string path, SchemaDocument document, List<string> chain, List<string> references)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            // true adds nothing; false leaves nothing to generate.
            if (schema.ValueKind == JsonValueKind.False)
            {
                throw new UnsupportedSchemaException("false", path, "the schema 'false' matches nothing.");
            }

            return;
        }

        SchemaShape.Check(schema, path);
        if (TryGetString(schema, "$ref", out string? reference))
        {
            if (chain.Contains(reference) || _inlinedReferences.Count(r => r == reference) >= MaxOpenMerges)
            {
                throw new UnsupportedSchemaException("allOf", path,
                    $"the schema includes itself through '{reference}', so merging its 'allOf' never ends; refer to the recursive type with a plain '$ref' instead.");
            }

            chain.Add(reference);
            MergeInto(target, document.Resolve(reference, path), reference, document, chain, references);
            chain.RemoveAt(chain.Count - 1);
            references.Add(reference);
        }

        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "$ref":
                    break;
                case "allOf":
                    int index = 0;
                    foreach (JsonElement part in keyword.Value.EnumerateArray())
                    {
                        MergeInto(target, part, $"{path}/allOf/{index++}", document, chain, references);
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

    private static string EscapePointer(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static bool TryGetString(JsonElement schema, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = schema.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return value is not null;
    }

    private static bool TryGetArray(JsonElement schema, string name, out JsonElement value) =>
        schema.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Array;

    private static decimal? GetDecimal(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number
            ? e.TryGetDecimal(out decimal value) ? value : (decimal)Math.Clamp(e.GetDouble(), (double)decimal.MinValue / 2, (double)decimal.MaxValue / 2)
            : null;

    private static int? GetInt(JsonElement schema, string name) =>
        GetDecimal(schema, name) is { } value ? (int)Math.Clamp(decimal.Floor(value), 0, int.MaxValue) : null;

    // A lower bound (minItems, minLength) is met exactly; above MaxRepetitions it is refused, since the grammar would repeat that often.
    private int GetMinimum(JsonElement schema, string keyword, string path)
    {
        int value = GetInt(schema, keyword) ?? 0;
        if (value > _options.MaxRepetitions)
        {
            throw new UnsupportedSchemaException(keyword, path, $"OffGrid generates at most {_options.MaxRepetitions} characters or items here, fewer than the {keyword} of {value}.");
        }

        NoteMinimum(value, keyword, path);
        return value;
    }

    // An upper bound above MaxRepetitions is lowered to it: every value generated still meets the schema.
    private int? GetMaximum(JsonElement schema, string keyword, string path)
    {
        if (GetInt(schema, keyword) is not { } value)
        {
            return null;
        }

        value = Math.Min(value, _options.MaxRepetitions);
        if (value > _largestMaximum.Value)
        {
            _largestMaximum = (value, keyword, path);
        }

        return value;
    }

    private void NoteMinimum(int value, string keyword, string path)
    {
        if (value > _largestMinimum.Value)
        {
            _largestMinimum = (value, keyword, path);
        }
    }

    /// <summary>One schema document: the target of its local references and the rules made for them.</summary>
    private sealed class SchemaDocument(JsonElement root)
    {
        public Dictionary<string, string> ReferenceRules { get; } = new(StringComparer.Ordinal);

        public JsonElement Resolve(string reference, string path)
        {
            JsonElement current = root;
            foreach (string rawSegment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                string segment = Uri.UnescapeDataString(rawSegment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                current = current.ValueKind switch
                {
                    JsonValueKind.Object when current.TryGetProperty(segment, out JsonElement child) => child,
                    JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.GetArrayLength() => current[index],
                    _ => throw new UnsupportedSchemaException("$ref", path, $"the reference '{reference}' does not resolve."),
                };
            }

            return current;
        }
    }
}
