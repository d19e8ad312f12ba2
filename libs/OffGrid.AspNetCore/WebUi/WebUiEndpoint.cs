namespace OffGrid.AspNetCore.WebUi;

/// <summary>Serves the single-page chat UI embedded in the assembly (no web root, no CDN: it works offline and from any host).</summary>
internal static class WebUiEndpoint
{
    private static readonly Lazy<byte[]> s_page = new(() =>
    {
        using Stream stream = typeof(WebUiEndpoint).Assembly.GetManifestResourceStream("OffGrid.AspNetCore.WebUi.index.html")
            ?? throw new InvalidOperationException("The web UI resource is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Page() => Results.Bytes(s_page.Value, "text/html; charset=utf-8");
}
