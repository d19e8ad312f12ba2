using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Tests.TestSupport;
using OffGrid.Testing;
using OpenAI;
using OpenAI.Chat;

namespace OffGrid.AspNetCore.Tests.Knowledge;

/// <summary>
/// The knowledge API and chat with knowledge through a real Kestrel server: stories260K embeds the documents and answers,
/// the official OpenAI .NET SDK sends the <c>knowledge</c> extension field and reads the <c>sources</c> field back.
/// </summary>
#pragma warning disable SCME0001 // JsonPatch (extra request and response fields) is marked for evaluation in the OpenAI SDK.
public sealed class KnowledgeApiTests : IAsyncLifetime
{
    private readonly string _folder = TestPaths.NewTempDir("offgrid-knowledge-docs");
    private readonly LoopbackHttpServer _web = new();
    private readonly TaskCompletionSource _slowPage = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        KnowledgeCorpus.WriteFolder(_folder);
        _web.MapContent("/trains.html", "text/html; charset=utf-8", Encoding.UTF8.GetBytes(KnowledgeCorpus.HtmlPage));

        // A page that answers only when the test ends: its document is still being read when a job is cancelled.
        _web.Map("/slow.html", async context =>
        {
            await _slowPage.Task;
            context.Response.Close();
        });
        _server = await TestServer.StartAsync(
            server => server.AddKnowledge().Services.Configure<OffGridServerOptions>(o =>
            {
                // The HTML page is served from this machine, which URL imports refuse by default.
                o.Knowledge.AllowPrivateNetworkUrls = true;
                o.Knowledge.MaxUploadBytes = 64 * 1024;
            }),
            app =>
            {
                app.MapOpenAi();
                app.MapOllama();
                app.MapOffGridKnowledge();
            });
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _slowPage.TrySetResult();
        _web.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AFolderAndAWebPageAnswerQuestionsWithCitationsOfTheRightFilesAndPages()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        using HttpResponseMessage created = await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "docs", embedding_model = "stories", chunking = new { max_tokens = 96 } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var form = new MultipartFormDataContent();
        foreach (string file in Directory.GetFiles(_folder))
        {
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(file, ct)), "file", Path.GetFileName(file));
        }

        JsonElement upload = await ReadJsonAsync(await http.PostAsync("/v1/knowledge/collections/docs/documents?wait=true", form, ct), HttpStatusCode.OK);
        Assert.Equal("completed", upload.GetProperty("status").GetString());
        Assert.All(upload.GetProperty("results").EnumerateArray(), r => Assert.Equal("added", r.GetProperty("status").GetString()));
        string pageUrl = _web.Url("/trains.html").AbsoluteUri;
        JsonElement import = await ReadJsonAsync(await http.PostAsJsonAsync("/v1/knowledge/collections/docs/documents?wait=true", new { urls = new[] { pageUrl } }, ct), HttpStatusCode.OK);
        Assert.Equal("added", import.GetProperty("results")[0].GetProperty("status").GetString());

        JsonElement collection = await ReadJsonAsync(await http.GetAsync("/v1/knowledge/collections/docs", ct), HttpStatusCode.OK);
        Assert.Equal(4, collection.GetProperty("documents").GetInt32());
        Assert.True(collection.GetProperty("chunks").GetInt32() >= 4);

        var chat = new ChatClient("stories", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseUri, "/v1") });
        foreach ((string question, string? file, int? page) in KnowledgeCorpus.Questions)
        {
            var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
            options.Patch.Set("$.knowledge"u8, BinaryData.FromString("""{"collections":["docs"],"top_k":1,"alpha":0.2,"require_citations":true}"""));
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(question)], options, ct);

            Assert.StartsWith("[1] ", completion.Content[0].Text, StringComparison.Ordinal);
            Assert.True(completion.Patch.TryGetJson("$.sources"u8, out ReadOnlyMemory<byte> json), "the response has no 'sources'");
            JsonElement source = JsonDocument.Parse(json).RootElement[0];
            Assert.Equal(1, source.GetProperty("index").GetInt32());
            Assert.Equal(file ?? pageUrl, source.GetProperty("source").GetString());
            if (page is int expectedPage)
            {
                Assert.Equal(expectedPage, source.GetProperty("page").GetInt32());
            }
        }

        // Streamed, the sources come with the first chunk.
        var streamed = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };
        streamed.Patch.Set("$.knowledge"u8, BinaryData.FromString("""{"collections":["docs"],"top_k":2,"alpha":0.2,"require_citations":true}"""));
        var text = new StringBuilder();
        JsonElement? streamedSources = null;
        await foreach (StreamingChatCompletionUpdate update in chat.CompleteChatStreamingAsync([new UserChatMessage("How do I reset the pump?")], streamed, ct))
        {
            if (streamedSources is null && update.Patch.TryGetJson("$.sources"u8, out ReadOnlyMemory<byte> sources))
            {
                streamedSources = JsonDocument.Parse(sources).RootElement.Clone();
            }

            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Matches(@"^\[[12]\] ", text.ToString());
        Assert.Equal("guide.pdf", streamedSources!.Value[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task DocumentsAreListedSearchedReingestedAndDeletedAndJobsStreamProgress()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        (await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "notes", embedding_model = "stories" }, ct)).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent();
        for (int i = 0; i < 6; i++)
        {
            form.Add(new StringContent($"# Note {i}\n\nThe code word for day {i} is kestrel{i}.\n"), "file", $"note{i}.md");
        }

        form.Add(new ByteArrayContent([0xFF, 0xFE, 0x00]), "file", "broken.pdf");
        JsonElement job = await ReadJsonAsync(await http.PostAsync("/v1/knowledge/collections/notes/documents", form, ct), HttpStatusCode.Accepted);
        string jobId = job.GetProperty("id").GetString()!;

        // Progress as server-sent events, then the finished job, then [DONE]; the broken PDF fails alone.
        using HttpResponseMessage events = await http.GetAsync($"/v1/knowledge/jobs/{jobId}/events", HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        string[] data = await EventDataAsync(events);
        Assert.Equal("[DONE]", data[^1]);
        JsonElement finished = JsonDocument.Parse(data[^2]).RootElement;
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        JsonElement progress = finished.GetProperty("progress");
        Assert.Equal(7, progress.GetProperty("documents_completed").GetInt32());
        Assert.Equal(1, progress.GetProperty("documents_failed").GetInt32());
        Assert.True(progress.GetProperty("bytes_completed").GetInt64() > 0);
        Assert.Contains(finished.GetProperty("results").EnumerateArray(), r => r.GetProperty("source").GetString() == "broken.pdf" && r.GetProperty("error").GetString()!.Length > 0);

        JsonElement search = await ReadJsonAsync(await http.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "notes" }, query = "kestrel3", top_k = 2, fusion = "rrf" }, ct), HttpStatusCode.OK);
        JsonElement hit = search.GetProperty("data")[0];
        Assert.Equal("note3.md", hit.GetProperty("citation").GetProperty("source").GetString());
        long id = hit.GetProperty("citation").GetProperty("document_id").GetInt64();

        JsonElement documents = await ReadJsonAsync(await http.GetAsync("/v1/knowledge/collections/notes/documents", ct), HttpStatusCode.OK);
        Assert.Equal(6, documents.GetProperty("data").GetArrayLength());
        JsonElement reingest = await ReadJsonAsync(await http.PostAsync($"/v1/knowledge/collections/notes/documents/{id}/reingest?wait=true", null, ct), HttpStatusCode.OK);
        Assert.Equal("updated", reingest.GetProperty("results")[0].GetProperty("status").GetString());
        await ReadJsonAsync(await http.DeleteAsync($"/v1/knowledge/collections/notes/documents/{id}", ct), HttpStatusCode.OK);
        await ReadJsonAsync(await http.GetAsync($"/v1/knowledge/collections/notes/documents/{id}", ct), HttpStatusCode.NotFound);

        // Ollama's chat takes the same field under its options.
        JsonElement ollama = await ReadJsonAsync(await http.PostAsJsonAsync("/api/chat", new
        {
            model = "stories",
            stream = false,
            messages = new[] { new { role = "user", content = "What is the code word for day 4?" } },
            options = new { temperature = 0, num_predict = 6, knowledge = new { collections = new[] { "notes" }, top_k = 1, alpha = 0.2, require_citations = true } },
        }, ct), HttpStatusCode.OK);
        Assert.StartsWith("[1] ", ollama.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("note4.md", ollama.GetProperty("sources")[0].GetProperty("source").GetString());

        await ReadJsonAsync(await http.DeleteAsync("/v1/knowledge/collections/notes", ct), HttpStatusCode.OK);
        await ReadJsonAsync(await http.GetAsync("/v1/knowledge/collections/notes", ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ACancelledJobStopsAndKeepsTheDocumentsItFinished()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        (await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "web", embedding_model = "stories" }, ct)).EnsureSuccessStatusCode();
        string slow = _web.Url("/slow.html").AbsoluteUri;
        string page = _web.Url("/trains.html").AbsoluteUri;
        JsonElement job = await ReadJsonAsync(await http.PostAsJsonAsync("/v1/knowledge/collections/web/documents", new { urls = new[] { page, slow } }, ct), HttpStatusCode.Accepted);
        string jobId = job.GetProperty("id").GetString()!;

        // Documents are stored in the order given: the page is stored while the slow page is still being read.
        JsonElement running;
        do
        {
            running = await ReadJsonAsync(await http.GetAsync($"/v1/knowledge/jobs/{jobId}", ct), HttpStatusCode.OK);
            Assert.Equal("running", running.GetProperty("status").GetString());
            await Task.Delay(50, ct);
        }
        while (running.GetProperty("progress").GetProperty("documents_completed").GetInt32() < 1);

        JsonElement cancelled = await ReadJsonAsync(await http.PostAsync($"/v1/knowledge/jobs/{jobId}/cancel", null, ct), HttpStatusCode.OK);
        Assert.Equal(jobId, cancelled.GetProperty("id").GetString());
        using HttpResponseMessage events = await http.GetAsync($"/v1/knowledge/jobs/{jobId}/events", ct);
        string[] data = await EventDataAsync(events);
        JsonElement finished = JsonDocument.Parse(data[^2]).RootElement;
        Assert.Equal("cancelled", finished.GetProperty("status").GetString());
        Assert.Equal(page, Assert.Single(finished.GetProperty("results").EnumerateArray()).GetProperty("source").GetString());

        JsonElement documents = await ReadJsonAsync(await http.GetAsync("/v1/knowledge/collections/web/documents", ct), HttpStatusCode.OK);
        Assert.Equal(page, Assert.Single(documents.GetProperty("data").EnumerateArray()).GetProperty("source").GetString());
    }

    [Fact]
    public async Task ACollectionMadeOnThisMachineWithAModelPathIsSearchedThoughClientsMayNotSendPaths()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;

        // As `offgrid kb create local --embedding-model <file.gguf>` makes it: the machine's own administrator named the file.
        KnowledgeCollections collections = _server.App.Services.GetRequiredService<KnowledgeCollections>();
        await collections.CreateAsync(new CollectionDefinition { Name = "local", EmbeddingModel = TestPaths.Stories260K }, ct);
        string file = Path.Combine(_folder, Directory.GetFiles(_folder).Select(Path.GetFileName).First()!);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file, ct)), "file", Path.GetFileName(file) } };
        Assert.Equal("completed", (await ReadJsonAsync(await http.PostAsync("/v1/knowledge/collections/local/documents?wait=true", form, ct), HttpStatusCode.OK)).GetProperty("status").GetString());
        JsonElement found = await ReadJsonAsync(await http.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "local" }, query = "the", top_k = 2 }, ct), HttpStatusCode.OK);
        Assert.NotEmpty(found.GetProperty("data").EnumerateArray());

        // A client still cannot make the server load a file by naming its path (Server:AllowModelPaths is off).
        JsonElement refused = await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "sent", embedding_model = TestPaths.Stories260K }, ct), HttpStatusCode.NotFound);
        Assert.Equal("embedding_model", refused.GetProperty("param").GetString());
        Assert.Equal("model_not_found", refused.GetProperty("code").GetString());
    }

    [Fact]
    public async Task BadRequestsGetClearErrorsInOpenAisShape()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        HttpClient http = _server.Http;
        Assert.Equal("name", (await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "Bad Name!", embedding_model = "stories" }, ct), HttpStatusCode.BadRequest)).GetProperty("param").GetString());
        Assert.Equal("model_not_found", (await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "x", embedding_model = "no-such-model" }, ct), HttpStatusCode.NotFound)).GetProperty("code").GetString());
        (await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "kb", embedding_model = "stories" }, ct)).EnsureSuccessStatusCode();
        Assert.Equal("collection_exists", (await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/collections", new { name = "kb", embedding_model = "stories" }, ct), HttpStatusCode.Conflict)).GetProperty("code").GetString());
        Assert.Equal("collection_not_found", (await ErrorAsync(await http.GetAsync("/v1/knowledge/collections/missing", ct), HttpStatusCode.NotFound)).GetProperty("code").GetString());

        using var unsupported = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "file", "photo.png" } };
        JsonElement type = await ErrorAsync(await http.PostAsync("/v1/knowledge/collections/kb/documents", unsupported, ct), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(".pdf", type.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var tooBig = new MultipartFormDataContent { { new ByteArrayContent(new byte[100 * 1024]), "file", "big.txt" } };
        await ErrorAsync(await http.PostAsync("/v1/knowledge/collections/kb/documents", tooBig, ct), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("urls[0]", (await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/collections/kb/documents", new { urls = new[] { "file:///etc/passwd" } }, ct), HttpStatusCode.BadRequest)).GetProperty("param").GetString());
        Assert.Equal("alpha", (await ErrorAsync(await http.PostAsJsonAsync("/v1/knowledge/search", new { collections = new[] { "kb" }, query = "q", alpha = 2 }, ct), HttpStatusCode.BadRequest)).GetProperty("param").GetString());
        Assert.Equal("knowledge.collections", (await ErrorAsync(await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "stories",
            messages = new[] { new { role = "user", content = "hi" } },
            knowledge = new { collections = Array.Empty<string>() },
        }, ct), HttpStatusCode.BadRequest)).GetProperty("param").GetString());
        Assert.Equal("collection_not_found", (await ErrorAsync(await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "stories",
            messages = new[] { new { role = "user", content = "hi" } },
            knowledge = new { collections = new[] { "missing" } },
        }, ct), HttpStatusCode.NotFound)).GetProperty("code").GetString());
        Assert.Equal("job_not_found", (await ErrorAsync(await http.GetAsync("/v1/knowledge/jobs/ingest-0", ct), HttpStatusCode.NotFound)).GetProperty("code").GetString());
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"expected {expected}, got {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    /// <summary>The <c>data</c> of each server-sent event, in order.</summary>
    private static async Task<string[]> EventDataAsync(HttpResponseMessage events) =>
        [.. (await events.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..])];

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode expected) =>
        (await ReadJsonAsync(response, expected)).GetProperty("error");
}
