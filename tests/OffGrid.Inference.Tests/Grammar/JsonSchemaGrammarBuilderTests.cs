using System.Text.Json;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Grammar;

namespace OffGrid.Inference.Tests.Grammar;

public sealed class JsonSchemaGrammarBuilderTests
{
    public static TheoryData<string> SampleNames => [.. SchemaSample.All.Select(s => s.Name)];

    public static TheoryData<string> ValidatorSampleNames => [.. SchemaSample.All.Where(s => s.ValidatorUnderstands).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void GrammarAcceptsValidDocuments(string name)
    {
        SchemaSample sample = Find(name);
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(Build(sample).Text));
        foreach (string document in sample.Valid)
        {
            Assert.True(recognizer.Accepts(document), $"[{name}] should accept: {document}");
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void GrammarRejectsInvalidDocuments(string name)
    {
        SchemaSample sample = Find(name);
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(Build(sample).Text));
        foreach (string document in sample.Invalid)
        {
            Assert.False(recognizer.Accepts(document), $"[{name}] should reject: {document}");
        }
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void GrammarHasOnlyBoundedRepetitions(string name)
    {
        GbnfProgram program = GbnfProgram.Parse(Build(Find(name)).Text);
        Assert.Equal(0, program.UnboundedRepetitions);
    }

    // Random choices through the grammar stand in for a model with random weights: whatever it produces
    // must be JSON that the schema validator accepts.
    [Theory]
    [MemberData(nameof(ValidatorSampleNames))]
    public async Task RandomWalksThroughGrammarProduceSchemaValidDocuments(string name)
    {
        SchemaSample sample = Find(name);
        NJsonSchema.JsonSchema validator = await NJsonSchema.JsonSchema.FromJsonAsync(sample.Schema, TestContext.Current.CancellationToken);
        GbnfProgram program = GbnfProgram.Parse(Build(sample).Text);
        var sampler = new GbnfSampler(program);
        var recognizer = new GbnfRecognizer(program);
        var random = new Random(1234);
        for (int i = 0; i < 150; i++)
        {
            string document = sampler.Sample(random);
            using (JsonDocument.Parse(document))
            {
            }

            var errors = validator.Validate(document);
            Assert.True(errors.Count == 0, $"[{name}] sample {i} is invalid ({string.Join("; ", errors)}): {document}");
            Assert.True(recognizer.Accepts(document), $"[{name}] recognizer disagrees with sampler: {document}");
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 5)]
    [InlineData(-100, -3)]
    [InlineData(7, 1234)]
    [InlineData(-999, 999)]
    [InlineData(-1, 0)]
    [InlineData(10, 99)]
    [InlineData(98, 102)]
    public void IntegerRangeMatchesExactlyTheRange(int minimum, int maximum)
    {
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse($"root ::= {IntegerRangeGrammar.Expression(minimum, maximum, 15)}\n"));
        for (int value = minimum - 150; value <= maximum + 150; value++)
        {
            bool inRange = value >= minimum && value <= maximum;
            Assert.True(inRange == recognizer.Accepts(value.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{value} in [{minimum}, {maximum}]");
        }

        Assert.False(recognizer.Accepts("0" + maximum.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void HalfOpenIntegerRangesAreBoundedByDigitCount()
    {
        var atLeast13 = new GbnfRecognizer(GbnfProgram.Parse($"root ::= {IntegerRangeGrammar.Expression(13, null, 4)}\n"));
        Assert.True(atLeast13.Accepts("13"));
        Assert.True(atLeast13.Accepts("9999"));
        Assert.False(atLeast13.Accepts("12"));
        Assert.False(atLeast13.Accepts("10000"));

        var atMostMinus7 = new GbnfRecognizer(GbnfProgram.Parse($"root ::= {IntegerRangeGrammar.Expression(null, -7, 4)}\n"));
        Assert.True(atMostMinus7.Accepts("-7"));
        Assert.True(atMostMinus7.Accepts("-9999"));
        Assert.False(atMostMinus7.Accepts("-6"));
        Assert.False(atMostMinus7.Accepts("0"));
    }

    [Fact]
    public void EmptyIntegerRangeIsRejected() =>
        Assert.Equal("minimum", Assert.Throws<UnsupportedSchemaException>(() => Build("""{"type":"integer","minimum":5,"maximum":4}""")).Keyword);

    [Fact]
    public void RemoteReferencesAreNotSupported() =>
        Assert.Equal("$ref", Assert.Throws<UnsupportedSchemaException>(() => Build("""{"$ref":"https://example.org/schema.json"}""")).Keyword);

    [Fact]
    public void RequiredPropertiesKeepDeclaredOrderInGrammarText()
    {
        string text = Build("""{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}},"required":["alpha","zeta"]}""").Text;
        Assert.True(text.IndexOf("zeta", StringComparison.Ordinal) < text.IndexOf("alpha", StringComparison.Ordinal));
        Assert.StartsWith("root ::= ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsBoundStringsArraysAndWhitespace()
    {
        var options = new JsonGrammarOptions { MaxStringLength = 8, MaxArrayItems = 3 };
        string text = JsonSchemaGrammarBuilder.ForSchema(Parse("""{"type":"array","items":{"type":"string"}}"""), options).Text;
        Assert.Contains("{0,8}", text, StringComparison.Ordinal);

        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(text));
        Assert.True(recognizer.Accepts("""["12345678","a","b"]"""));
        Assert.False(recognizer.Accepts("""["123456789"]"""));
        Assert.False(recognizer.Accepts("""["a","b","c","d"]"""));
        Assert.False(recognizer.Accepts("[\n\"a\"\n]"));
        Assert.False(recognizer.Accepts("[ \"a\"]"));
    }

    [Fact]
    public void AnyJsonObjectGrammarAcceptsObjectsUpToTheNestingBound()
    {
        var options = new JsonGrammarOptions { MaxNestingDepth = 2 };
        var recognizer = new GbnfRecognizer(GbnfProgram.Parse(JsonSchemaGrammarBuilder.ForAnyJsonObject(options).Text));
        Assert.True(recognizer.Accepts("{}"));
        Assert.True(recognizer.Accepts("""{"a":{"b":1},"c":[true,null,"x"]}"""));
        Assert.False(recognizer.Accepts("""{"a":{"b":[1]}}"""));
        Assert.False(recognizer.Accepts("""{"a": 1}"""));
        Assert.False(recognizer.Accepts("[1]"));
        Assert.False(recognizer.Accepts("\"text\""));
    }

    [Fact]
    public void AnyJsonObjectGrammarOnlyProducesObjects()
    {
        GbnfProgram program = GbnfProgram.Parse(JsonSchemaGrammarBuilder.ForAnyJsonObject().Text);
        Assert.Equal(0, program.UnboundedRepetitions);
        var sampler = new GbnfSampler(program);
        var random = new Random(7);
        for (int i = 0; i < 100; i++)
        {
            using JsonDocument document = JsonDocument.Parse(sampler.Sample(random));
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
    }

    [Fact]
    public void ResponseFormatChoosesTheGrammar()
    {
        Assert.Null(ResponseFormatGrammar.For(null));
        Assert.Null(ResponseFormatGrammar.For(ChatResponseFormat.Text));
        Assert.Equal(JsonSchemaGrammarBuilder.ForAnyJsonObject().Text, ResponseFormatGrammar.For(ChatResponseFormat.Json)!.Text);

        GbnfGrammar schemaGrammar = ResponseFormatGrammar.For(ChatResponseFormat.ForJsonSchema(Parse("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"""), "answer"))!;
        Assert.Equal("root", schemaGrammar.RootRule);
        Assert.True(GbnfRecognizer.Accepts(schemaGrammar.Text, """{"n":1}"""));
        Assert.False(GbnfRecognizer.Accepts(schemaGrammar.Text, """{"m":1}"""));
    }

    [Fact]
    public void SchemaFromAIJsonUtilitiesIsSupported()
    {
        JsonElement schema = AIJsonUtilities.CreateJsonSchema(typeof(WeatherRequest));
        string text = JsonSchemaGrammarBuilder.ForSchema(schema).Text;
        Assert.True(GbnfRecognizer.Accepts(text, """{"city":"Paris","days":3,"unit":"Celsius"}"""), text);
    }

    private static SchemaSample Find(string name) => SchemaSample.All.Single(s => s.Name == name);

    private static GbnfGrammar Build(SchemaSample sample) => Build(sample.Schema);

    private static GbnfGrammar Build(string schema) => JsonSchemaGrammarBuilder.ForSchema(Parse(schema));

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public enum TemperatureUnit
    {
        Celsius,
        Fahrenheit,
    }

    public sealed record WeatherRequest(string City, int Days, TemperatureUnit? Unit);
}
