using System.Text;
using OffGrid.Rag.Chunking;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;
using OffGrid.Rag.Tests.TestSupport;

namespace OffGrid.Rag.Tests.Ingestion;

public sealed class KnowledgeBaseIngestionTests : IDisposable
{
    private readonly TestKnowledgeBase _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public async Task BadDocumentsFailOneByOneAndTheBatchContinues()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        RagOptions options = _test.Options();
        options.MaxDocumentBytes = 4096;
        KnowledgeBase kb = _test.Open(options);
        string good = _test.WriteFile("good.md", "# Water\n\nBoil water before drinking it.");
        string corruptPdf = _test.WriteFile("broken.pdf", [.. "%PDF-1.4\n"u8, .. Enumerable.Repeat((byte)'x', 200)]);
        string binary = _test.WriteFile("tool.bin", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0]);
        string huge = _test.WriteFile("huge.txt", new string('a', 5000));
        string latin1 = _test.WriteFile("legacy.txt", Encoding.Latin1.GetBytes("Crème brûlée recipe from the café."));
        string missing = Path.Combine(_test.Directory, "missing.txt");
        var progress = new List<IngestionProgress>();

        IReadOnlyList<IngestionResult> results = await kb.IngestAsync(
            [DocumentSource.FromFile(good), DocumentSource.FromFile(corruptPdf), DocumentSource.FromFile(binary), DocumentSource.FromFile(huge), DocumentSource.FromFile(latin1), DocumentSource.FromFile(missing)],
            progress: new SynchronousProgress<IngestionProgress>(progress.Add),
            cancellationToken: ct);

        Assert.Equal([IngestionStatus.Added, IngestionStatus.Failed, IngestionStatus.Failed, IngestionStatus.Failed, IngestionStatus.Added, IngestionStatus.Failed], results.Select(r => r.Status));
        Assert.Contains("Not a readable PDF", results[1].Error, StringComparison.Ordinal);
        Assert.Contains("binary", results[2].Error, StringComparison.Ordinal);
        Assert.Contains("limit", results[3].Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", results[5].Error, StringComparison.Ordinal);
        Assert.Equal(2, (await kb.ListDocumentsAsync(cancellationToken: ct)).Count);
        Assert.Equal("iso-8859-1", (await kb.ListDocumentsAsync(cancellationToken: ct)).Single(d => d.Source == latin1).Metadata["encoding"].GetString());
        Assert.Contains(await kb.SearchAsync("café", new SearchOptions { Alpha = 0 }, ct), h => h.Citation.Source == latin1);

        Assert.Equal(6, progress.Count(p => p.Stage == IngestionStage.Completed));
        Assert.Equal(Enumerable.Range(1, 6), progress.Where(p => p.Stage == IngestionStage.Completed).Select(p => p.DocumentsCompleted));
        Assert.All(progress, p => Assert.Equal(6, p.DocumentsTotal));
        Assert.Contains(progress, p => p.Stage == IngestionStage.Embedding && p.Source == good && p.ChunksDone == p.ChunksTotal && p.ChunksTotal > 0);
    }

    [Fact]
    public async Task ReingestingUnchangedContentIsANoOpAndChangedContentReplacesItsChunks()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        string path = _test.WriteFile("notes.txt", "The generator needs diesel fuel.\n\nCheck the oil weekly.");

        IngestionResult first = await kb.IngestAsync(DocumentSource.FromFile(path), cancellationToken: ct);
        int embeddedAfterFirst = _test.Generator.Inputs;
        IngestionResult second = await kb.IngestAsync(DocumentSource.FromFile(path), cancellationToken: ct);

        Assert.Equal(IngestionStatus.Added, first.Status);
        Assert.Equal(IngestionStatus.Unchanged, second.Status);
        Assert.Equal(first.DocumentId, second.DocumentId);
        Assert.Equal(first.ChunkCount, second.ChunkCount);
        Assert.Equal(embeddedAfterFirst, _test.Generator.Inputs);

        File.WriteAllText(path, "The generator now runs on propane.");
        IngestionResult third = await kb.IngestAsync(DocumentSource.FromFile(path), cancellationToken: ct);

        Assert.Equal(IngestionStatus.Updated, third.Status);
        Assert.Equal(first.DocumentId, third.DocumentId);
        Assert.Empty(await kb.SearchAsync("diesel", new SearchOptions { Alpha = 0 }, ct));
        Assert.Single(await kb.SearchAsync("propane", new SearchOptions { Alpha = 0 }, ct));
        Assert.Single(await kb.ListDocumentsAsync(cancellationToken: ct));

        IngestionResult forced = await kb.IngestAsync(DocumentSource.FromFile(path), new IngestionOptions { Force = true }, ct);
        Assert.Equal(IngestionStatus.Updated, forced.Status);
    }

    [Fact]
    public async Task ReingestingManyUnchangedDocumentsNeverStalls()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        RagOptions options = _test.Options();
        options.IngestionParallelism = 2; // the smallest window with two parsers, as on a two-core machine
        KnowledgeBase kb = _test.Open(options);
        DocumentSource[] sources = [.. Enumerable.Range(0, 300).Select(i => DocumentSource.FromText($"note{i}", $"Note {i}: the pump needs oil."))];
        await kb.IngestAsync(sources, cancellationToken: ct);

        // Unchanged documents are prepared as fast as the parsers take them, so the parsers race for the window of documents
        // parsed ahead of embedding: a parser descheduled between taking a document and its place in the window (which
        // needs a busy machine, so this does not fail every time) must not leave that document waiting behind later ones.
        for (int round = 0; round < 5; round++)
        {
            IReadOnlyList<IngestionResult> again = await kb.IngestAsync(sources, cancellationToken: ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.All(again, r => Assert.Equal(IngestionStatus.Unchanged, r.Status));
        }
    }

    [Fact]
    public async Task AFailedUpdateLeavesThePreviousVersionIntact()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        await kb.IngestAsync(DocumentSource.FromText("manual", "Original pump instructions."), cancellationToken: ct);
        _test.Generator.FailAfterInputs = _test.Generator.Inputs;

        IngestionResult failed = await kb.IngestAsync(DocumentSource.FromText("manual", "Replacement text that never lands."), cancellationToken: ct);

        Assert.Equal(IngestionStatus.Failed, failed.Status);
        Assert.Contains("embedding model crashed", failed.Error, StringComparison.Ordinal);
        SearchHit hit = Assert.Single(await kb.SearchAsync("pump", new SearchOptions { Alpha = 0 }, ct));
        Assert.Equal("Original pump instructions.", hit.Text);
        Assert.Empty(await kb.SearchAsync("replacement", new SearchOptions { Alpha = 0 }, ct));
    }

    [Fact]
    public async Task DocumentsAndCollectionsCanBeDeleted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        await kb.IngestAsync(
            [
                DocumentSource.FromText("a", "alpha radio frequencies") with { Collection = "radio" },
                DocumentSource.FromText("b", "beta radio antennas") with { Collection = "radio" },
                DocumentSource.FromText("c", "gamma radio batteries"),
            ],
            cancellationToken: ct);

        Assert.True(await kb.DeleteDocumentAsync("a", "radio", ct));
        Assert.False(await kb.DeleteDocumentAsync("a", "radio", ct));
        Assert.Equal(["b", "c"], (await kb.SearchAsync("radio", new SearchOptions { Alpha = 0 }, ct)).Select(h => h.Citation.Source).Order());
        Assert.Equal(1, await kb.DeleteCollectionAsync("radio", ct));
        Assert.Equal(["c"], (await kb.SearchAsync("radio", null, ct)).Select(h => h.Citation.Source));
        Assert.Equal(["c"], (await kb.ListDocumentsAsync(cancellationToken: ct)).Select(d => d.Source));
    }

    [Fact]
    public async Task PdfIngestionCitesPagesAndRecordsPagesAndImages()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        string pdf = _test.WriteFile("manual.pdf", TestPdf.Write("Cabin Manual", [["Open the damper before lighting the stove."], ["The water pump fuse is under the sink."]], withImage: true));

        IngestionResult result = await kb.IngestAsync(DocumentSource.FromFile(pdf), cancellationToken: ct);

        Assert.Equal(IngestionStatus.Added, result.Status);
        SearchHit hit = (await kb.SearchAsync("pump fuse", new SearchOptions { Alpha = 0 }, ct))[0];
        Assert.Equal(2, hit.Citation.Page);
        Assert.Equal("Cabin Manual", hit.Citation.Title);
        StoredDocument document = Assert.Single(await kb.ListDocumentsAsync(cancellationToken: ct));
        Assert.Equal(2, document.Metadata["pages"].GetInt32());
        Assert.Equal(1, document.Metadata["images"].GetInt32());
        Assert.Equal([1, 0], document.Metadata["imagesPerPage"].EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task DocxAndMarkdownAndHtmlFilesAreDetectedByExtension()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        string docx = _test.WriteFile("plan.docx", DocumentReaderTests.WordDocument(body => body.Append(
            new DocumentFormat.OpenXml.Wordprocessing.Paragraph(new DocumentFormat.OpenXml.Wordprocessing.Run(new DocumentFormat.OpenXml.Wordprocessing.Text("Evacuation route goes north."))))));
        string md = _test.WriteFile("kit.md", "# Kit\n\n## Lights\n\nHeadlamp with spare cells.");
        string html = _test.WriteFile("page.html", "<html><body><h1>Radio</h1><p>Channel nine for emergencies.</p></body></html>");

        IReadOnlyList<IngestionResult> results = await kb.IngestAsync([DocumentSource.FromFile(docx), DocumentSource.FromFile(md), DocumentSource.FromFile(html)], cancellationToken: ct);

        Assert.All(results, r => Assert.Equal(IngestionStatus.Added, r.Status));
        Assert.Equal(["Docx", "Html", "Markdown"], (await kb.ListDocumentsAsync(cancellationToken: ct)).Select(d => d.Format).Order());
        Assert.Equal("Kit > Lights", (await kb.SearchAsync("headlamp", new SearchOptions { Alpha = 0 }, ct))[0].Citation.HeadingPath);
        Assert.Equal("Radio", (await kb.SearchAsync("channel", new SearchOptions { Alpha = 0 }, ct))[0].Citation.HeadingPath);
    }

    [Fact]
    public async Task PrecomputedChunksAreStoredWithTheirVectorsAndMissingOnesAreEmbedded()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        float[] vector = _test.Generator.Embed("rope knots");

        IngestionResult result = await kb.IngestAsync(
            DocumentSource.FromChunks("knots", [new PrecomputedChunk("Bowline knot", vector) { HeadingPath = "Knots" }, new PrecomputedChunk("Clove hitch")]),
            cancellationToken: ct);

        Assert.Equal(IngestionStatus.Added, result.Status);
        Assert.Equal(2, result.ChunkCount);
        Assert.Equal(1, _test.Generator.Inputs);
        Assert.Equal("Bowline knot", (await kb.SearchAsync("rope knots", new SearchOptions { Alpha = 1, Top = 1 }, ct))[0].Text);
        Assert.Equal(IngestionStatus.Unchanged, (await kb.IngestAsync(DocumentSource.FromChunks("knots", [new PrecomputedChunk("Bowline knot", vector) { HeadingPath = "Knots" }, new PrecomputedChunk("Clove hitch")]), cancellationToken: ct)).Status);
    }

    [Fact]
    public async Task ChunkingCanBeOverriddenPerCallAndUsesThePluggedTokenCounter()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        KnowledgeBase kb = _test.Open();
        string text = string.Join(' ', Enumerable.Range(0, 100).Select(i => $"word{i}"));
        var chunking = new ChunkingOptions { MaxTokens = 10, OverlapTokens = 0, TokenCounter = TokenCounter.FromFunction(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, "words") };

        IngestionResult result = await kb.IngestAsync(DocumentSource.FromText("words", text), new IngestionOptions { Chunking = chunking }, ct);

        Assert.Equal(ChunkingProfile.Custom, result.Profile);
        Assert.Equal(10, result.ChunkCount);
        await Assert.ThrowsAsync<ArgumentException>(() => kb.IngestAsync(DocumentSource.FromText("x", "y"), new IngestionOptions { Chunking = new ChunkingOptions { MaxTokens = 5, OverlapTokens = 5 } }, ct));
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so that the test sees every report before asserting.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
