namespace OffGrid.Hub.Tests;

/// <summary>The one reader of error bodies: OpenAI's shape, Ollama's, and everything a proxy or web server may send instead.</summary>
public sealed class HttpErrorMessageTests
{
    public static TheoryData<string?, string?, string> Bodies => new()
    {
        // body, Read, Describe
        { """{"error":{"message":"The model 'x' was not found.","type":"invalid_request_error","param":"model","code":"model_not_found"}}""", "The model 'x' was not found.", "The model 'x' was not found." },
        { """{"error":"model 'x' not found, try pulling it first"}""", "model 'x' not found, try pulling it first", "model 'x' not found, try pulling it first" },
        { "Bad Gateway\r\n  upstream closed\n", null, "Bad Gateway upstream closed" },
        { "<html>\n<body><h1>502</h1></body>\n</html>", null, "<html> <body><h1>502</h1></body> </html>" },
        { string.Empty, null, "an empty answer" },
        { " \n", null, "an empty answer" },
        { null, null, "an empty answer" },
        { """{"error":{"message":"cut""", null, """{"error":{"message":"cut""" },
        { """{"data":[]}""", null, """{"data":[]}""" },
        { """{"error":{"code":500}}""", null, """{"error":{"code":500}}""" },
        { """{"error":""}""", null, """{"error":""}""" },
        { """["error"]""", null, """["error"]""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void ReadsOpenAiAndOllamaErrorsAndDescribesAnythingElse(string? body, string? message, string description)
    {
        Assert.Equal(message, HttpErrorMessage.Read(body));
        Assert.Equal(description, HttpErrorMessage.Describe(body));
    }

    [Fact]
    public void AHugeBodyOrMessageIsCutToTheLimit()
    {
        string page = string.Concat(Enumerable.Repeat("<p>proxy error</p>\n", 100_000));
        string described = HttpErrorMessage.Describe(page);
        Assert.Equal(HttpErrorMessage.MaxLength, described.Length);
        Assert.StartsWith("<p>proxy error</p> <p>proxy error</p>", described, StringComparison.Ordinal);
        Assert.EndsWith("…", described, StringComparison.Ordinal);

        string message = new('x', 1_000_000);
        string read = HttpErrorMessage.Read("""{"error":{"message":""" + "\"" + message + "\"}}")!;
        Assert.Equal(HttpErrorMessage.MaxLength, read.Length);
        Assert.Equal(message[..(HttpErrorMessage.MaxLength - 1)] + "…", read);

        // A cut never leaves half of a surrogate pair behind.
        string emoji = string.Concat(Enumerable.Repeat("😀", HttpErrorMessage.MaxLength));
        string cut = HttpErrorMessage.Describe(emoji);
        Assert.True(cut.Length <= HttpErrorMessage.MaxLength);
        Assert.False(char.IsHighSurrogate(cut[^2]), "half of a surrogate pair");
    }
}
