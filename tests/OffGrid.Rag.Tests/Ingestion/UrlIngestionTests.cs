using System.Text;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Ingestion;

public sealed class UrlIngestionTests : IDisposable
{
    private readonly TestKnowledgeBase _test = new();
    private readonly LoopbackHttpServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _test.Dispose();
    }

    [Fact]
    public async Task PagesAreFetchedThroughRedirectsAndReadByContentType()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _server.MapContent("/guide", "text/html; charset=utf-8", Encoding.UTF8.GetBytes("<html><head><title>Trail Guide</title></head><body><h1>Trails</h1><p>The ridge trail is closed in winter. <a href=\"/maps\">Maps</a></p></body></html>"));
        _server.MapRedirect("/old", "/older");
        _server.MapRedirect("/older", "/guide");
        _server.MapContent("/notes", "text/markdown", Encoding.UTF8.GetBytes("# Notes\n\nCarry a whistle."));
        _server.MapContent("/manual.pdf", "application/pdf", TestPdf.Write("Stove", [["Prime the stove with alcohol."]], withImage: false));
        RagOptions options = _test.Options();
        options.AllowPrivateNetworkUrls = true;
        options.MaxRedirects = 2;
        KnowledgeBase kb = _test.Open(options);

        IReadOnlyList<IngestionResult> results = await kb.IngestAsync(
            [DocumentSource.FromUrl(_server.Url("/old")), DocumentSource.FromUrl(_server.Url("/notes")), DocumentSource.FromUrl(_server.Url("/manual.pdf"))],
            cancellationToken: ct);

        Assert.All(results, r => Assert.Equal(IngestionStatus.Added, r.Status));
        SearchHit trail = (await kb.SearchAsync("ridge trail winter", new SearchOptions { Alpha = 0 }, ct))[0];
        Assert.Equal("Trail Guide", trail.Citation.Title);
        Assert.Equal(_server.Url("/old").AbsoluteUri, trail.Citation.Source);
        var guide = (await kb.ListDocumentsAsync(cancellationToken: ct)).Single(d => d.Source == _server.Url("/old").AbsoluteUri);
        Assert.Equal(_server.Url("/maps").AbsoluteUri, guide.Metadata["links"][0].GetProperty("href").GetString());
        Assert.Equal("Notes", (await kb.SearchAsync("whistle", new SearchOptions { Alpha = 0 }, ct))[0].Citation.HeadingPath);
        Assert.Equal(1, (await kb.SearchAsync("alcohol", new SearchOptions { Alpha = 0 }, ct))[0].Citation.Page);
    }

    [Fact]
    public async Task RedirectLoopsOversizedBodiesErrorsAndSlowServersFailPerDocument()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _server.MapRedirect("/loop", "/loop");
        _server.MapContent("/big", "text/plain", new byte[10_000]);
        _server.Map("/chunked", async context =>
        {
            context.Response.SendChunked = true;
            for (int i = 0; i < 20; i++)
            {
                await context.Response.OutputStream.WriteAsync(Encoding.ASCII.GetBytes(new string('z', 1000)), ct);
            }

            context.Response.Close();
        });
        _server.Map("/slow", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            context.Response.Close();
        });
        _server.MapContent("/ok", "text/plain", Encoding.UTF8.GetBytes("fine content"));
        RagOptions options = _test.Options();
        options.AllowPrivateNetworkUrls = true;
        options.MaxDocumentBytes = 5_000;
        options.UrlFetchTimeout = TimeSpan.FromMilliseconds(500);
        KnowledgeBase kb = _test.Open(options);

        IReadOnlyList<IngestionResult> results = await kb.IngestAsync(
            new[] { "/loop", "/big", "/chunked", "/missing", "/slow", "/ok" }.Select(p => DocumentSource.FromUrl(_server.Url(p))),
            cancellationToken: ct);

        Assert.Contains("redirects", results[0].Error, StringComparison.Ordinal);
        Assert.Contains("limit", results[1].Error, StringComparison.Ordinal);
        Assert.Contains("limit", results[2].Error, StringComparison.Ordinal);
        Assert.Contains("404", results[3].Error, StringComparison.Ordinal);
        Assert.Contains("longer than", results[4].Error, StringComparison.Ordinal);
        Assert.Equal(IngestionStatus.Added, results[5].Status);
    }

    [Fact]
    public async Task LoopbackAndPrivateAddressesAreRefusedUnlessAllowed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _server.MapContent("/ok", "text/plain", Encoding.UTF8.GetBytes("internal wiki page"));
        KnowledgeBase kb = _test.Open(_test.Options());

        IngestionResult refused = await kb.IngestAsync(DocumentSource.FromUrl(_server.Url("/ok")), cancellationToken: ct);
        IngestionResult privateHost = await kb.IngestAsync(DocumentSource.FromUrl(new Uri("http://10.255.255.1:9/secret")), cancellationToken: ct);

        Assert.Equal(IngestionStatus.Failed, refused.Status);
        Assert.Contains("AllowPrivateNetworkUrls", refused.Error, StringComparison.Ordinal);
        Assert.Equal(IngestionStatus.Failed, privateHost.Status);
        Assert.Contains("private", privateHost.Error, StringComparison.Ordinal);
        Assert.Empty(await kb.ListDocumentsAsync(cancellationToken: ct));
    }
}
