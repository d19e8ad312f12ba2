using System.Text.Json;
using OffGrid.Inference.Grammar;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>
/// Schemas written to break the grammar builder (cycles, absurd bounds, wrong JSON kinds, broken patterns, lone
/// surrogates) are refused with <see cref="UnsupportedSchemaException"/> naming the keyword, quickly and without
/// exhausting the stack or memory; whatever grammar is built can be compiled and finished.
/// </summary>
public sealed class MalformedSchemaTests
{
    [Theory]
    [InlineData("""{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/a"},{"type":"object"}]}},"$ref":"#/$defs/a"}""", "allOf", "includes itself")]
    [InlineData("""{"allOf":[{"$ref":"#"},{"required":["x"]}]}""", "allOf", "includes itself")]
    [InlineData("""{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"},{}]},"b":{"allOf":[{"$ref":"#/$defs/a"},{}]}},"$ref":"#/$defs/a"}""", "allOf", "includes itself")]
    [InlineData("""{"type":"object","properties":{"child":{"allOf":[{"$ref":"#"},{"type":"object"}]}}}""", "allOf", "includes itself")]
    [InlineData("""{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}""", "$ref", "refers to itself")]
    [InlineData("""{"allOf":[{"$ref":"#"}]}""", "$ref", "refers to itself")]
    [InlineData("""{"$ref":"#"}""", "$ref", "refers to itself")]
    [InlineData("""{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}""", "$ref", "refers to itself")]
    [InlineData("""{"anyOf":[{"$ref":"#"},{"type":"null"}]}""", "$ref", "refers to itself")]
    [InlineData("""{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}""", "$ref", "never ends")]
    public void SelfReferencesAreRefusedWithoutOverflowingTheStack(string schema, string keyword, string detail) =>
        AssertRefused(schema, keyword, detail);

    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["name"]}""")]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"allOf":[{"$ref":"#"}],"description":"A child."}}},"required":["name"]}""")]
    [InlineData("""{"$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name"]}},"allOf":[{"$ref":"#/$defs/node"},{"required":["children"]}]}""")]
    public void RecursionThatCanEndStillWorks(string schema)
    {
        string grammar = Build(schema);
        Assert.True(GbnfRecognizer.Accepts(grammar, """{"name":"a","children":[{"name":"b"}]}"""));
    }

    // Two types that extend the same base, one inside the other, merge the base twice without any cycle.
    [Fact]
    public void ABaseMergedAgainInsideItselfIsNoCycle()
    {
        string grammar = Build("""
            {"$defs":{"base":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}},
             "allOf":[{"$ref":"#/$defs/base"},{"properties":{"child":{"allOf":[{"$ref":"#/$defs/base"},{"properties":{"tag":{"type":"string"}},"required":["tag"]}]}},"required":["child"]}]}
            """);
        Assert.True(GbnfRecognizer.Accepts(grammar, """{"id":1,"child":{"id":2,"tag":"x"}}"""));
    }

    [Theory]
    [InlineData("""{"type":"array","minItems":5,"maxItems":2}""", "minItems", "at most 2")]
    [InlineData("""{"type":"string","minLength":3,"maxLength":1}""", "minLength", "at most 1")]
    [InlineData("""{"type":"array","minItems":1000000000}""", "minItems", "4096")]
    [InlineData("""{"type":"string","minLength":1000000000}""", "minLength", "4096")]
    [InlineData("""{"type":"string","minLength":1e300}""", "minLength", "4096")]
    [InlineData("""{"type":"string","pattern":"^a{1000000000}$"}""", "pattern", "4096")]
    [InlineData("""{"type":"array","minItems":4096,"items":{"type":"array","minItems":4096,"items":{"type":"string","minLength":4096}}}""", "minItems", "shortest")]
    public void AbsurdBoundsAreRefusedBeforeAnyGrammarIsExpanded(string schema, string keyword, string detail) =>
        AssertRefused(schema, keyword, detail);

    // Each bound is allowed, but together they would spell out millions of grammar symbols.
    [Fact]
    public void ManyLargeBoundsTogetherAreRefused()
    {
        var properties = Enumerable.Range(0, 600).ToDictionary(i => $"p{i}", i => new { type = "string", maxLength = 4096 - i });
        var error = Assert.Throws<UnsupportedSchemaException>(() => JsonSchemaGrammarBuilder.ForSchema(JsonSerializer.SerializeToElement(new { type = "object", properties })));
        Assert.Equal("maxLength", error.Keyword);
        Assert.Contains("symbols", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"array","items":{"type":"integer"},"maxItems":1000000000}""", "[1,2]")]
    [InlineData("""{"type":"string","maxLength":1000000000}""", "\"abc\"")]
    [InlineData("""{"type":"string","pattern":"^a{2,1000000000}$"}""", "\"aaa\"")]
    public void HugeMaximaAreLoweredToWhatCanBeGenerated(string schema, string accepted)
    {
        string grammar = Build(schema);
        Assert.True(GbnfRecognizer.Accepts(grammar, accepted), accepted);
        CompiledGrammar.Parse(grammar);
    }

    [Theory]
    [InlineData("""{"type":5}""", "type", "string or an array")]
    [InlineData("""{"type":[5]}""", "type", "string or an array")]
    [InlineData("""{"type":[]}""", "type", "string or an array")]
    [InlineData("""{"type":"object","properties":[]}""", "properties", "object")]
    [InlineData("""{"type":"object","properties":{"a":5}}""", "properties", "schema")]
    [InlineData("""{"type":"object","required":"x"}""", "required", "array of strings")]
    [InlineData("""{"type":"object","required":[1]}""", "required", "array of strings")]
    [InlineData("""{"allOf":[{"properties":[]}]}""", "properties", "object")]
    [InlineData("""{"allOf":[{"required":[1]}]}""", "required", "array of strings")]
    [InlineData("""{"allOf":{}}""", "allOf", "array")]
    [InlineData("""{"anyOf":[]}""", "anyOf", "non-empty array")]
    [InlineData("""{"oneOf":"x"}""", "oneOf", "non-empty array")]
    [InlineData("""{"type":"array","items":5}""", "items", "schema")]
    [InlineData("""{"type":"array","prefixItems":{}}""", "prefixItems", "array")]
    [InlineData("""{"type":"array","maxItems":"3"}""", "maxItems", "non-negative integer")]
    [InlineData("""{"type":"string","minLength":-1}""", "minLength", "non-negative integer")]
    [InlineData("""{"type":"string","maxLength":2.5}""", "maxLength", "non-negative integer")]
    [InlineData("""{"type":"integer","minimum":"0"}""", "minimum", "number")]
    [InlineData("""{"type":"integer","exclusiveMaximum":"9"}""", "exclusiveMaximum", "number")]
    [InlineData("""{"type":"string","pattern":5}""", "pattern", "string")]
    [InlineData("""{"type":"string","format":5}""", "format", "string")]
    [InlineData("""{"type":"object","additionalProperties":"no"}""", "additionalProperties", "schema")]
    [InlineData("""{"$defs":[],"type":"string"}""", "$defs", "object")]
    [InlineData("""{"enum":[]}""", "enum", "non-empty array")]
    [InlineData("""{"enum":"a"}""", "enum", "non-empty array")]
    [InlineData("""{"type":"object","nullable":"yes"}""", "nullable", "boolean")]
    public void KeywordsOfTheWrongJsonKindAreRefused(string schema, string keyword, string detail) =>
        AssertRefused(schema, keyword, detail);

    [Theory]
    [InlineData("[")]
    [InlineData("(")]
    [InlineData("a)")]
    [InlineData("a{2")]
    [InlineData("a{3,1}")]
    [InlineData("*a")]
    [InlineData("a**")]
    [InlineData("\\")]
    [InlineData("[z-a]")]
    [InlineData("\\p{NoSuchCategory}")]
    [InlineData("a]")]
    [InlineData("a}")]
    [InlineData("\\ud800")]
    public void InvalidPatternsAreRefused(string pattern) =>
        AssertRefused(JsonSerializer.Serialize(new { type = "string", pattern }), "pattern", "pattern");

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$","maxLength":3}""")]
    [InlineData("""{"type":"string","pattern":"^a+$","minLength":2}""")]
    public void PatternsWithLengthBoundsAreRefusedRatherThanHalfEnforced(string schema) =>
        AssertRefused(schema, "pattern", "{m,n}");

    [Fact]
    public void FormatsGiveWayToLengthBounds()
    {
        string grammar = Build("""{"type":"string","format":"date-time","maxLength":3}""");
        Assert.True(GbnfRecognizer.Accepts(grammar, "\"abc\""));
        Assert.False(GbnfRecognizer.Accepts(grammar, "\"2024-01-01T00:00:00Z\""));
    }

    [Theory]
    [InlineData("""{"type":"integer","exclusiveMinimum":9223372036854775807}""")]
    [InlineData("""{"type":"integer","exclusiveMaximum":-9223372036854775808}""")]
    [InlineData("""{"type":"integer","minimum":9223372036854775807,"maximum":9223372036854775807}""")]
    [InlineData("""{"type":"number","exclusiveMinimum":9223372036854775806}""")]
    [InlineData("""{"type":"number","exclusiveMaximum":-9223372036854775807}""")]
    [InlineData("""{"type":"number","exclusiveMinimum":1e300}""")]
    [InlineData("""{"type":"integer","minimum":-1e300,"exclusiveMaximum":-1e299}""")]
    [InlineData("""{"type":"integer","minimum":999999999999999999,"maximum":1e19}""")]
    public void BoundsBeyondWhatCanBeWrittenAreRefusedNotOverflowed(string schema)
    {
        var error = Assert.Throws<UnsupportedSchemaException>(() => JsonSchemaGrammarBuilder.ForSchema(Parse(schema)));
        Assert.Matches("minimum|maximum|exclusiveMinimum|exclusiveMaximum", error.Keyword);
    }

    [Theory]
    [InlineData("""{"type":"integer","exclusiveMinimum":100,"maximum":9223372036854775807}""", "101", "100")]
    [InlineData("""{"type":"integer","minimum":-9223372036854775808,"exclusiveMaximum":-5}""", "-6", "-5")]
    public void BoundsNearTheLimitsStillEnforceTheNearBound(string schema, string accepted, string rejected)
    {
        string grammar = Build(schema);
        Assert.True(GbnfRecognizer.Accepts(grammar, accepted), accepted);
        Assert.False(GbnfRecognizer.Accepts(grammar, rejected), rejected);
    }

    [Theory]
    [InlineData("""{"const":"\ud800"}""", "const")]
    [InlineData("""{"enum":["a","\udc00"]}""", "enum")]
    [InlineData("""{"type":"object","properties":{"\ud800":{"type":"string"}}}""", "properties")]
    [InlineData("""{"type":"object","required":["\ud800"]}""", "required")]
    public void LoneSurrogatesInSchemaStringsAreRefused(string schema, string keyword) =>
        AssertRefused(schema, keyword, "surrogate");

    [Fact]
    public void PairedSurrogateEscapesInSchemaStringsAreCharacters()
    {
        string grammar = Build("""{"enum":["\ud83d\ude00"]}""");
        Assert.True(GbnfRecognizer.Accepts(grammar, "\"😀\""));
    }

    private static void AssertRefused(string schema, string keyword, string detail)
    {
        var error = Assert.Throws<UnsupportedSchemaException>(() => JsonSchemaGrammarBuilder.ForSchema(Parse(schema)));
        Assert.Equal(keyword, error.Keyword);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    private static string Build(string schema) => JsonSchemaGrammarBuilder.ForSchema(Parse(schema)).Text;

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
