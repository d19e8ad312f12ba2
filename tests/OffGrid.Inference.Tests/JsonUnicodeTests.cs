using System.Text;
using System.Text.Json;

namespace OffGrid.Inference.Tests;

public sealed class JsonUnicodeTests
{
    [Theory]
    [InlineData("""{"a":"\ud800"}""", 6)]
    [InlineData("""{"a":"x\udc00y"}""", 7)]
    [InlineData("""{"a":"\ud83d\ud83d\ude00"}""", 6)]
    [InlineData("""{"\uDBFF":1}""", 2)]
    [InlineData("""["\ud800\u0041"]""", 2)]
    [InlineData("""["\ud800""", 2)]
    [InlineData("""{"a":"\ud83d\ude00","b":"\\ud800","c":"\u00e9\n"}""", -1)]
    [InlineData("""{"a":"\\\ud83d\ude00"}""", -1)]
    [InlineData("""{"a":"\\\\\udfff"}""", 10)]
    [InlineData("""{"a":"\u12"}""", -1)]
    public void FindsEscapesThatAreHalfAPair(string json, int expected)
    {
        Assert.Equal(expected, JsonUnicode.IndexOfLoneSurrogateEscape(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(expected, JsonUnicode.IndexOfLoneSurrogateEscape(json));
    }

    // What the check promises: text it passes reads without throwing; text it stops cannot be read.
    [Theory]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"a":"\ud83d\ude00","b":"\\ud800"}""")]
    [InlineData("""{"\udc00":"x"}""")]
    public void AgreesWithSystemTextJson(string json)
    {
        bool readable = true;
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                _ = property.Name;
                _ = property.Value.GetString();
            }
        }
        catch (InvalidOperationException)
        {
            readable = false;
        }

        Assert.Equal(readable, JsonUnicode.IndexOfLoneSurrogateEscape(json) < 0);
    }

    [Fact]
    public void PositionsCountCharactersInStringsAndBytesInUtf8()
    {
        const string Json = """{"é😀":"\udc00"}""";
        Assert.Equal(Json.IndexOf('\\', StringComparison.Ordinal), JsonUnicode.IndexOfLoneSurrogateEscape(Json));
        Assert.Equal(Encoding.UTF8.GetBytes(Json).AsSpan().IndexOf((byte)'\\'), JsonUnicode.IndexOfLoneSurrogateEscape(Encoding.UTF8.GetBytes(Json)));
    }
}
