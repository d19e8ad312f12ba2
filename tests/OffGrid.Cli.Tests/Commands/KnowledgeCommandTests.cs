using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OffGrid.Rag;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Testing;

namespace OffGrid.Cli.Tests.Commands;

/// <summary><c>offgrid kb</c> and <c>offgrid run --kb</c> as a user runs them, on stories260K as the embedding and chat model.</summary>
public sealed partial class KnowledgeCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();
    private readonly string _folder = TestPaths.NewTempDir("offgrid-cli-kb-docs");

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AFolderAndAWebPageAreIngestedSearchedAndCitedByFileAndPage()
    {
        KnowledgeCorpus.WriteFolder(_folder);
        File.WriteAllBytes(Path.Combine(_folder, "photo.png"), [0x89, 0x50, 0x4E, 0x47]);
        using var web = new LoopbackHttpServer();
        web.MapContent("/trains.html", "text/html", Encoding.UTF8.GetBytes(KnowledgeCorpus.HtmlPage));

        (await _cli.RunAsync("kb", "create", "docs", "--embedding-model", TestPaths.Stories260K, "--max-tokens", "96")).AssertSuccess();
        CliResult added = await _cli.RunAsync("kb", "add", "docs", _folder, web.Url("/trains.html").AbsoluteUri, "--threads", "1");
        added.AssertSuccess();
        Assert.Contains("docs: 4 added, 0 updated, 0 unchanged, 0 failed", added.Stdout, StringComparison.Ordinal);
        Assert.Contains("Skipping 1 file(s) of unsupported types", added.Stderr, StringComparison.Ordinal);
        Assert.Contains("[4/4]", added.Stderr, StringComparison.Ordinal);

        CliResult again = await _cli.RunAsync("kb", "add", "docs", _folder, "--threads", "1");
        Assert.Contains("0 added, 0 updated, 3 unchanged", again.Stdout, StringComparison.Ordinal);

        CliResult list = await _cli.RunAsync("kb", "list", "--json");
        JsonElement docs = JsonDocument.Parse(list.Stdout).RootElement[0];
        Assert.Equal("docs", docs.GetProperty("name").GetString());
        Assert.Equal(4, docs.GetProperty("documents").GetInt32());

        // More threads than cores are lowered to the cores, once, on standard error, as for every command that runs a model.
        CliResult search = await _cli.RunAsync("kb", "search", "docs", "reset the pump", "--alpha", "0.2", "--top", "2", "--threads", "500");
        search.AssertSuccess();
        Assert.StartsWith("[1] Pump manual (guide.pdf, page 2)", search.Stdout, StringComparison.Ordinal);
        int cores = Environment.ProcessorCount;
        Assert.Equal($"Warning: --threads 500 is more than the {cores} cores this process may use; using {cores}.", Assert.Single(search.ErrorLines, l => l.Contains("--threads", StringComparison.Ordinal)));

        foreach ((string question, string? file, int? page) in KnowledgeCorpus.Questions)
        {
            CliResult answer = await _cli.RunAsync("run", TestPaths.Stories260K, question, "--kb", "docs", "--kb-top", "1", "--cite", "--temperature", "0", "-n", "12", "--threads", "1");
            answer.AssertSuccess();
            Assert.StartsWith("[1] ", answer.Stdout, StringComparison.Ordinal);
            Match source = SourceLine().Match(answer.Stdout[answer.Stdout.IndexOf("Sources:", StringComparison.Ordinal)..]);
            Assert.True(source.Success, answer.Stdout);
            Assert.Contains(file ?? web.Url("/trains.html").AbsoluteUri, source.Value, StringComparison.Ordinal);
            if (page is int expected)
            {
                Assert.Contains($"page {expected}", source.Value, StringComparison.Ordinal);
            }
        }

        // A remote node that is down: the search still answers from this machine and says the result is partial.
        int closed;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        (await _cli.RunAsync("knowledge", "nodes", "add", "docs", $"http://127.0.0.1:{closed}/", "--name", "plant-b", "--weight", "2")).AssertSuccess();
        JsonElement node = JsonDocument.Parse((await _cli.RunAsync("kb", "nodes", "list", "docs", "--json")).Stdout).RootElement[0];
        Assert.Equal("plant-b", node.GetProperty("name").GetString());
        Assert.Equal(2, node.GetProperty("weight").GetDouble());
        CliResult partial = await _cli.RunAsync("kb", "search", "docs", "reset the pump", "--alpha", "0.2", "--top", "2", "--threads", "1");
        partial.AssertSuccess();
        Assert.StartsWith("[1] Pump manual (guide.pdf, page 2)", partial.Stdout, StringComparison.Ordinal);
        Assert.Contains("partial: node plant-b", partial.Stderr, StringComparison.Ordinal);
        (await _cli.RunAsync("kb", "nodes", "rm", "docs", "plant-b")).AssertSuccess();
        Assert.Equal(1, (await _cli.RunAsync("kb", "nodes", "rm", "docs", "plant-b")).ExitCode);

        (await _cli.RunAsync("kb", "rm", "docs")).AssertSuccess();
        Assert.Contains("No knowledge collections yet", (await _cli.RunAsync("kb", "list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKilledIngestionLeavesAConsistentStoreAndTheNextRunDoesOnlyTheRest()
    {
        // Two folders of notes with a web page between them that never answers: documents are stored in input order, so
        // the run stops after the first folder's notes whatever the machine's load, and the test kills it there.
        const int Files = 40;
        string[] folders = [Directory.CreateDirectory(Path.Combine(_folder, "a")).FullName, Directory.CreateDirectory(Path.Combine(_folder, "b")).FullName];
        for (int i = 0; i < Files; i++)
        {
            File.WriteAllText(Path.Combine(folders[i * 2 / Files], $"note{i:000}.md"), $"# Note {i}\n\nThe harbour log for day {i} mentions ship number {i * 7}.\n\n" + string.Join(' ', Enumerable.Repeat($"Tide {i} rises and falls.", 8)));
        }

        var held = new TaskCompletionSource();
        using var web = new LoopbackHttpServer();
        web.Map("/held.html", _ => held.Task);

        (await _cli.RunAsync("kb", "create", "logs", "--embedding-model", TestPaths.Stories260K)).AssertSuccess();
        using (CliProcess ingesting = await _cli.StartAsync("kb", "add", "logs", folders[0], web.Url("/held.html").AbsoluteUri, folders[1], "--threads", "1"))
        {
            await ingesting.WaitForErrorAsync(text => text.Contains($"[{Files / 2}/{Files + 1}]", StringComparison.Ordinal));
            await ingesting.KillAsync();
        }

        held.SetResult();
        string database = Path.Combine(_cli.Home, "knowledge", "logs", "knowledge.db");
        using (var embeddings = new HashEmbeddings())
        using (var knowledgeBase = new KnowledgeBase(new RagOptions { DatabasePath = database, VectorSearch = VectorSearchMode.Exact }, embeddings))
        {
            IReadOnlyList<StoredDocument> documents = await knowledgeBase.ListDocumentsAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(Files / 2, documents.Count);
            Assert.All(documents, d => Assert.True(d.ChunkCount > 0, $"{d.Source} has no chunks"));
            KnowledgeBaseStatistics statistics = await knowledgeBase.GetStatisticsAsync(TestContext.Current.CancellationToken);
            Assert.Equal(documents.Sum(d => d.ChunkCount), statistics.Chunks);
            IReadOnlyList<SearchHit> hits = await knowledgeBase.SearchAsync("harbour log day 3", new SearchOptions { Alpha = 0 }, TestContext.Current.CancellationToken);
            Assert.Contains(hits, h => h.Citation.Source.EndsWith("note003.md", StringComparison.Ordinal));
        }

        CliResult resumed = await _cli.RunAsync("kb", "add", "logs", folders[0], folders[1], "--threads", "1");
        resumed.AssertSuccess();
        Assert.Contains($"logs: {Files / 2} added, 0 updated, {Files / 2} unchanged, 0 failed", resumed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelPathIsStoredWholeSoThatAServerStartedElsewhereFindsIt()
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), TestPaths.Stories260K);
        Assert.False(Path.IsPathRooted(relative));

        (await _cli.RunAsync("kb", "create", "rel", "--embedding-model", relative)).AssertSuccess();

        JsonElement created = JsonDocument.Parse((await _cli.RunAsync("kb", "list", "--json")).Stdout).RootElement[0];
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), created.GetProperty("embedding_model").GetString());
    }

    [Fact]
    public async Task MistakesGetOneLine()
    {
        (await _cli.RunAsync("kb", "create", "Bad Name", "--embedding-model", TestPaths.Stories260K)).AssertOneLineFailure(expectedExitCode: 2);
        (await _cli.RunAsync("kb", "add", "missing", _folder)).AssertOneLineFailure();
        (await _cli.RunAsync("kb", "search", "missing", "query")).AssertOneLineFailure();
        (await _cli.RunAsync("kb", "create", "x")).AssertOneLineFailure(expectedExitCode: 2);
        (await _cli.RunAsync("run", TestPaths.Stories260K, "hi", "--kb", "missing", "--threads", "1")).AssertOneLineFailure();
    }

    [GeneratedRegex(@"(?m)^\[1\] .*$")]
    private static partial Regex SourceLine();

    /// <summary>Vectors for the reopened store: only the keyword search is used, so any fixed-size vector does.</summary>
    private sealed class HashEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[64]))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
