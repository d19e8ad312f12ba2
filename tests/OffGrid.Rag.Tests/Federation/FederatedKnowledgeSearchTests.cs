using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Testing;

namespace OffGrid.Rag.Tests.Federation;

public sealed class FederatedKnowledgeSearchTests : IDisposable
{
    private readonly string _directory = TestPaths.NewTempDir("offgrid-federation");
    private readonly KnowledgeCollections _collections;

    public FederatedKnowledgeSearchTests()
    {
        _collections = new KnowledgeCollections(new KnowledgeCollectionsOptions { Directory = _directory, Rag = new RagOptions { VectorSearch = VectorSearchMode.Exact } }, new Concepts());
    }

    public void Dispose()
    {
        _collections.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task NodesAreKeptInTheCollectionFileAndValidated()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "docs", EmbeddingModel = "concepts" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "b", Url = new Uri("http://10.0.0.5:11611/"), Collection = "docs", ApiKey = "k" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "c", Url = new Uri("http://10.0.0.6:11611/"), Collection = "manuals", Weight = 2 }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "b", Url = new Uri("http://10.0.0.7:11611/"), Collection = "docs" }, ct);

        using (var reopened = new KnowledgeCollections(new KnowledgeCollectionsOptions { Directory = _directory }, new Concepts()))
        {
            IReadOnlyList<KnowledgeNode> nodes = await reopened.GetNodesAsync("docs", ct);
            Assert.Equal(["b", "c"], nodes.Select(n => n.Name));
            Assert.Equal(new Uri("http://10.0.0.7:11611/"), nodes[0].Url);
            Assert.Null(nodes[0].ApiKey);
            Assert.Equal(2, nodes[1].Weight);
        }

        Assert.Equal(["c"], (await _collections.RemoveNodeAsync("docs", "b", ct)).Select(n => n.Name));
        await Assert.ThrowsAsync<KnowledgeNodeNotFoundException>(() => _collections.RemoveNodeAsync("docs", "b", ct));
        InvalidKnowledgeRequestException weight = await Assert.ThrowsAsync<InvalidKnowledgeRequestException>(() =>
            _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "d", Url = new Uri("http://h/"), Collection = "docs", Weight = 0 }, ct));
        Assert.Equal("weight", weight.ParamName);
        InvalidKnowledgeRequestException scheme = await Assert.ThrowsAsync<InvalidKnowledgeRequestException>(() =>
            _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "d", Url = new Uri("file:///etc/"), Collection = "docs" }, ct));
        Assert.Equal("url", scheme.ParamName);
        Assert.Equal("10.0.0.5-11611", KnowledgeNode.NameFor(new Uri("http://10.0.0.5:11611/")));
    }

    [Fact]
    public async Task FailingNodesLeaveTheLocalHitsAndSayWhy()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "docs", EmbeddingModel = "concepts" }, ct);
        await _collections.IngestAsync("docs", [DocumentSource.FromText("reset.md", "Hold the blue button of the pump to reset it.")], cancellationToken: ct);
        using var refusing = new LoopbackHttpServer();
        refusing.Map("/v1/knowledge/search", async context =>
        {
            context.Response.StatusCode = 401;
            byte[] body = Encoding.UTF8.GetBytes("{\"error\":{\"message\":\"Invalid API key.\",\"type\":\"invalid_request_error\"}}");
            await context.Response.OutputStream.WriteAsync(body, ct);
            context.Response.Close();
        });
        using var webServer = new LoopbackHttpServer();
        webServer.Map("/v1/knowledge/search", async context =>
        {
            context.Response.StatusCode = 501;
            context.Response.StatusDescription = "Unsupported method ('POST')"; // as Python's http.server answers
            context.Response.ContentType = "text/html";
            byte[] body = Encoding.UTF8.GetBytes("<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title></head>\n<body><h1>Unsupported method ('POST')</h1></body>\n</html>\n");
            await context.Response.OutputStream.WriteAsync(body, ct);
            context.Response.Close();
        });
        using var otherShape = new LoopbackHttpServer();
        otherShape.Map("/v1/knowledge/search", async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("{\"hits\":\"x\",\"nodes\":5}"), ct);
            context.Response.Close();
        });

        // A node that is this very server answers with the local chunk itself: it is kept once.
        SearchHit own = Assert.Single(await _collections.SearchAsync(["docs"], "pump reset", new SearchOptions { Top = 3 }, ct));
        using var mirror = new LoopbackHttpServer();
        mirror.Map("/v1/knowledge/search", async context =>
        {
            var answer = new
            {
                data = new[]
                {
                    new
                    {
                        text = own.Text,
                        score = 0.9,
                        scores = new { keyword = 0.9 },
                        citation = new { document_id = own.Citation.DocumentId, chunk_id = own.Citation.ChunkId, collection = "docs", title = own.Citation.Title, source = own.Citation.Source, chunk_index = own.Citation.ChunkIndex, snippet = own.Citation.Snippet },
                    },
                },
            };
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(answer), ct);
            context.Response.Close();
        });
        int closedPort = ClosedPort();
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "keyed", Url = refusing.BaseAddress, Collection = "docs", ApiKey = "wrong" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "down", Url = new Uri($"http://127.0.0.1:{closedPort}/"), Collection = "docs" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "web", Url = webServer.BaseAddress, Collection = "docs" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "shape", Url = otherShape.BaseAddress, Collection = "docs" }, ct);
        await _collections.SetNodeAsync("docs", new KnowledgeNode { Name = "self", Url = mirror.BaseAddress, Collection = "docs" }, ct);
        using var search = new FederatedKnowledgeSearch(_collections, options: new FederationOptions { Deadline = TimeSpan.FromSeconds(30) });

        KnowledgeSearchResult result = await search.SearchAsync(["docs"], "pump reset", new SearchOptions { Top = 3 }, ct);

        Assert.True(result.Partial);
        SearchHit hit = Assert.Single(result.Hits);
        Assert.Null(hit.Citation.Node);
        Assert.Equal(1.0 / 61, hit.Scores.Fused, 12);
        Assert.Equal(["keyed", "down", "web", "shape", "self"], result.Nodes.Select(n => n.Node));
        Assert.Equal("HTTP 401: Invalid API key.", result.Nodes[0].Error);
        Assert.NotNull(result.Nodes[1].Error);
        Assert.Equal("HTTP 501: Unsupported method ('POST') (a text/html answer, not an OffGrid node's error; is the URL an OffGrid server?)", result.Nodes[2].Error);
        Assert.Equal("the node answered with an unexpected body (not an OffGrid knowledge search answer)", result.Nodes[3].Error);
        Assert.Null(result.Nodes[4].Error);
        Assert.True(result.Nodes[1].Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithoutNodesTheSearchIsTheLocalOne()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await _collections.CreateAsync(new CollectionDefinition { Name = "docs", EmbeddingModel = "concepts" }, ct);
        await _collections.IngestAsync("docs", [DocumentSource.FromText("reset.md", "Hold the blue button of the pump to reset it.")], cancellationToken: ct);
        using var search = new FederatedKnowledgeSearch(_collections);

        KnowledgeSearchResult result = await search.SearchAsync(["docs"], "pump", null, ct);

        Assert.False(result.Partial);
        Assert.Empty(result.Nodes);
        Assert.Equal((await _collections.SearchAsync(["docs"], "pump", null, ct)).Select(h => h.Scores), result.Hits.Select(h => h.Scores));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Concepts : IEmbeddingModelResolver
    {
        private readonly ConceptEmbeddingGenerator _concepts = new();

        public Task<IEmbeddingGenerator<string, Embedding<float>>> GetEmbeddingGeneratorAsync(string model, CancellationToken cancellationToken) =>
            Task.FromResult<IEmbeddingGenerator<string, Embedding<float>>>(_concepts);
    }
}
