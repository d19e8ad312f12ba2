using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;
using OffGrid.Inference.ToolCalls;

namespace OffGrid.Inference.Tests.Grammar;

/// <summary>A schema OffGrid cannot enforce is refused with the keyword and the place named, never silently loosened.</summary>
public sealed class UnsupportedSchemaTests
{
    [Theory]
    [InlineData("""{"type":"string","pattern":"^a(?=b)$"}""", "pattern", "#", "look-ahead")]
    [InlineData("""{"type":"string","pattern":"^a(?!b)b$"}""", "pattern", "#", "look-ahead")]
    [InlineData("""{"type":"string","pattern":"^(?<=a)b$"}""", "pattern", "#", "look-behind")]
    [InlineData("""{"type":"string","pattern":"^(a)\\1$"}""", "pattern", "#", "back-reference")]
    [InlineData("""{"type":"string","pattern":"^(?<x>a)\\k<x>$"}""", "pattern", "#", "back-reference")]
    [InlineData("""{"type":"string","pattern":"^\\bword\\b$"}""", "pattern", "#", "word boundary")]
    [InlineData("""{"type":"string","pattern":"^\\p{Script=Greek}+$"}""", "pattern", "#", "Script=Greek")]
    [InlineData("""{"type":"string","pattern":"(?i)abc"}""", "pattern", "#", "inline flag")]
    [InlineData("""{"type":"string","pattern":"a^b"}""", "pattern", "#", "anchor")]
    [InlineData("""{"type":"object","properties":{"code":{"type":"string","pattern":"^(?=x)"}}}""", "pattern", "#/properties/code", "look-ahead")]
    [InlineData("""{"type":"object","if":{"properties":{"a":{"const":1}}},"then":{"required":["b"]}}""", "if", "#", "'if'")]
    [InlineData("""{"type":"object","dependentSchemas":{"a":{"required":["b"]}}}""", "dependentSchemas", "#", "dependentSchemas")]
    [InlineData("""{"type":"object","dependentRequired":{"a":["b"]}}""", "dependentRequired", "#", "dependentRequired")]
    [InlineData("""{"type":"object","patternProperties":{"^x":{"type":"string"}}}""", "patternProperties", "#", "patternProperties")]
    [InlineData("""{"type":"object","unevaluatedProperties":false}""", "unevaluatedProperties", "#", "unevaluatedProperties")]
    [InlineData("""{"type":"object","propertyNames":{"maxLength":3}}""", "propertyNames", "#", "propertyNames")]
    [InlineData("""{"type":"array","contains":{"type":"integer"}}""", "contains", "#", "contains")]
    [InlineData("""{"type":"array","items":{"not":{"type":"null"}}}""", "not", "#/items", "'not'")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"uniqueItems":true}""", "uniqueItems", "#", "distinct")]
    [InlineData("""{"type":"number","multipleOf":0.5}""", "multipleOf", "#", "multiples")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}},"minProperties":1}""", "minProperties", "#", "required")]
    [InlineData("""{"type":"object","additionalProperties":true,"maxProperties":2}""", "maxProperties", "#", "additionalProperties")]
    [InlineData("""{"type":"number","minimum":0.2,"maximum":0.7}""", "minimum", "#", "none")]
    [InlineData("""{"type":"string","minLength":5,"maxLength":2}""", "minLength", "#", "at most 2")]
    [InlineData("""{"$defs":{"a":{"$dynamicRef":"#x"}},"$ref":"#/$defs/a"}""", "$dynamicRef", "#/$defs/a", "$dynamicRef")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "$ref", "#", "does not resolve")]
    [InlineData("""{"type":"strin"}""", "type", "#", "'strin'")]
    public void UnenforceableSchemasAreRefusedNamingTheKeyword(string schema, string keyword, string path, string detail)
    {
        var error = Assert.Throws<UnsupportedSchemaException>(() => JsonSchemaGrammarBuilder.ForSchema(Parse(schema)));
        Assert.Equal(keyword, error.Keyword);
        Assert.Equal(path, error.SchemaPath);
        Assert.Contains($"'{keyword}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolSchemasFailClosedToo()
    {
        AITool[] tools = [AIFunctionFactory.CreateDeclaration("lookup", "Finds a code.", Parse("""{"type":"object","properties":{"code":{"type":"string","pattern":"^(?=A)[A-Z]+$"}}}"""))];
        var error = Assert.Throws<UnsupportedSchemaException>(() => ToolCallGrammarBuilder.ForToolMode(tools, ChatToolMode.Auto, ToolCallFormat.Hermes));
        Assert.Equal("#/properties/code", error.SchemaPath);
    }

    // Constructs that can be enforced are, rather than refused.
    [Theory]
    [InlineData("^(?<x>ab)$", "\"ab\"", "\"a\"")]
    [InlineData("^\\p{Lu}{3}$", "\"ÀΣБ\"", "\"ABc\"")]
    [InlineData("^\\p{Lu}{3}$", "\"𝐀𝐁𝐂\"", "\"AB1\"")]
    [InlineData("^\\P{L}+$", "\"1 %😀\"", "\"1a\"")]
    [InlineData("^[\\p{Nd}\\p{Ll}]+$", "\"a٣z\"", "\"aZ\"")]
    [InlineData("^\\u{1F600}\\uD83C\\uDF89$", "\"😀🎉\"", "\"\\\\ud83d\\\\ude00🎉\"")]
    [InlineData("^.$", "\"😀\"", "\"😀😀\"")]
    [InlineData("^a$|^b$", "\"b\"", "\"ab\"")]
    [InlineData("^\\s\\S$", "\"\u3000x\"", "\"x \"")]
    public void EnforceablePatternConstructsAreEnforced(string pattern, string accepted, string rejected)
    {
        string grammar = JsonSchemaGrammarBuilder.ForSchema(JsonSerializer.SerializeToElement(new { type = "string", pattern })).Text;
        Assert.True(GbnfRecognizer.Accepts(grammar, accepted), accepted);
        Assert.False(GbnfRecognizer.Accepts(grammar, rejected), rejected);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"minProperties":1,"additionalProperties":false,"maxProperties":1}""")]
    [InlineData("""{"type":"integer","multipleOf":1}""")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"uniqueItems":true,"maxItems":1}""")]
    [InlineData("""{"type":"string","format":"email","title":"Mail","description":"Where to write","examples":["a@b.c"],"$comment":"annotations"}""")]
    public void KeywordsThatTheOtherKeywordsImplyAreAccepted(string schema) =>
        Assert.NotEmpty(JsonSchemaGrammarBuilder.ForSchema(Parse(schema)).Text);

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
