using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.OpenAi;
using OffGrid.Rag;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;
using OffGrid.Rag.Ingestion;
using OffGrid.Rag.Search;
using OffGrid.Rag.Storage;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>
/// OffGrid's knowledge API under <c>/v1/knowledge</c>: collections, documents (multipart upload, URL import, re-ingest),
/// ingestion jobs with server-sent progress, and hybrid search with citations. Under governance a caller sees and uses only
/// the collections they are allowed (<see cref="CollectionAccess"/>): others are missing from lists and answer 403.
/// </summary>
internal static class KnowledgeEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.AddEndpointFilter(CheckRouteCollectionAsync);
        group.MapPost("/collections", CreateCollectionAsync);
        group.MapGet("/collections", ListCollectionsAsync);
        group.MapGet("/collections/{name}", GetCollectionAsync);
        group.MapDelete("/collections/{name}", DeleteCollectionAsync);
        group.MapPost("/collections/{name}/documents", AddDocumentsAsync);
        group.MapGet("/collections/{name}/documents", ListDocumentsAsync);
        group.MapGet("/collections/{name}/documents/{id:long}", GetDocumentAsync);
        group.MapDelete("/collections/{name}/documents/{id:long}", DeleteDocumentAsync);
        group.MapPost("/collections/{name}/documents/{id:long}/reingest", ReingestDocumentAsync);
        group.MapGet("/jobs", ListJobs);
        group.MapGet("/jobs/{id}", GetJob);
        group.MapGet("/jobs/{id}/events", StreamJobAsync);
        group.MapPost("/jobs/{id}/cancel", CancelJob);
        group.MapGet("/collections/{name}/nodes", ListNodesAsync);
        group.MapPost("/collections/{name}/nodes", AddNodeAsync).WithMetadata(RequiredRole.Admin);
        group.MapDelete("/collections/{name}/nodes/{node}", RemoveNodeAsync).WithMetadata(RequiredRole.Admin);
        group.MapPost("/search", SearchAsync);
    }

    private static async Task<IResult> CreateCollectionAsync(HttpContext http, KnowledgeCollections collections, ServerEmbeddingModels embeddings)
    {
        CreateCollectionRequest request = await JsonBody.ReadAsync<CreateCollectionRequest>(http.Request, http.RequestAborted);
        await EnsureAllowedAsync(http, [request.Name ?? string.Empty]);
        await embeddings.EnsureServedAsync(request.EmbeddingModel, http.RequestAborted);
        CollectionInfo created = await collections.CreateAsync(
            new CollectionDefinition
            {
                Name = request.Name ?? string.Empty,
                EmbeddingModel = request.EmbeddingModel ?? string.Empty,
                Description = request.Description,
                ChunkMaxTokens = request.Chunking?.MaxTokens,
                ChunkOverlapTokens = request.Chunking?.OverlapTokens,
            },
            http.RequestAborted);
        return Results.Json(KnowledgeShapes.Collection(created), ServerJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListCollectionsAsync(HttpContext http, KnowledgeCollections collections)
    {
        Func<string, bool> visible = await VisibleAsync(http);
        IEnumerable<CollectionInfo> listed = (await collections.ListAsync(http.RequestAborted)).Where(c => visible(c.Definition.Name));
        return Results.Json(new { @object = "list", data = listed.Select(KnowledgeShapes.Collection) }, ServerJson.Options);
    }

    private static async Task<IResult> GetCollectionAsync(HttpContext http, KnowledgeCollections collections, string name) =>
        Results.Json(KnowledgeShapes.Collection(await collections.GetAsync(name, http.RequestAborted)), ServerJson.Options);

    private static async Task<IResult> DeleteCollectionAsync(HttpContext http, KnowledgeCollections collections, string name)
    {
        await collections.DeleteAsync(name, http.RequestAborted);
        return Results.Json(new { @object = "knowledge.collection.deleted", name, deleted = true }, ServerJson.Options);
    }

    /// <summary>
    /// Multipart: every file part is a document (its file name is its key, so uploading a file again updates it); JSON:
    /// <c>{"urls":[...],"force":false}</c>. Starts a job: 202 with the job, or with <c>?wait=true</c> 200 once it is done.
    /// </summary>
    private static async Task<IResult> AddDocumentsAsync(HttpContext http, KnowledgeCollections collections, IOptions<OffGridServerOptions> options, string name)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        string uploads = collections.GetUploadsDirectory(name);
        List<DocumentSource> sources;
        bool force = IsTrue(http.Request.Query["force"]);
        if (http.Request.HasFormContentType)
        {
            sources = await ReadUploadsAsync(http, options.Value.Knowledge.MaxUploadBytes, uploads, cancellationToken);
        }
        else
        {
            ImportDocumentsRequest request = await JsonBody.ReadAsync<ImportDocumentsRequest>(http.Request, cancellationToken);
            sources = ReadUrls(request.Urls);
            force |= request.Force;
        }

        IngestionJob job = await collections.StartIngestionAsync(name, sources, force, cancellationToken);
        return await RespondWithJobAsync(http, job);
    }

    private static async Task<IResult> ListDocumentsAsync(HttpContext http, KnowledgeCollections collections, string name)
    {
        KnowledgeBase knowledgeBase = await collections.OpenAsync(name, http.RequestAborted);
        IReadOnlyList<StoredDocument> documents = await knowledgeBase.ListDocumentsAsync(name, http.RequestAborted);
        return Results.Json(new { @object = "list", data = documents.Select(KnowledgeShapes.Document) }, ServerJson.Options);
    }

    private static async Task<IResult> GetDocumentAsync(HttpContext http, KnowledgeCollections collections, string name, long id) =>
        Results.Json(KnowledgeShapes.Document(await FindDocumentAsync(collections, name, id, http.RequestAborted)), ServerJson.Options);

    private static async Task<IResult> DeleteDocumentAsync(HttpContext http, KnowledgeCollections collections, string name, long id)
    {
        StoredDocument document = await FindDocumentAsync(collections, name, id, http.RequestAborted);
        KnowledgeBase knowledgeBase = await collections.OpenAsync(name, http.RequestAborted);
        await knowledgeBase.DeleteDocumentAsync(document.Source, name, http.RequestAborted);
        if (UploadPath(collections.GetUploadsDirectory(name), document.Source) is { } upload)
        {
            File.Delete(upload);
        }

        return Results.Json(new { @object = "knowledge.document.deleted", id, deleted = true }, ServerJson.Options);
    }

    /// <summary>Reads the document again from where it came from (its upload copy, URL or file) and replaces its chunks, even when unchanged.</summary>
    private static async Task<IResult> ReingestDocumentAsync(HttpContext http, KnowledgeCollections collections, string name, long id)
    {
        StoredDocument document = await FindDocumentAsync(collections, name, id, http.RequestAborted);
        DocumentSource source = UploadPath(collections.GetUploadsDirectory(name), document.Source) is { } upload
            ? DocumentSource.FromBytes(document.Source, await File.ReadAllBytesAsync(upload, http.RequestAborted))
            : Uri.TryCreate(document.Source, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https" ? DocumentSource.FromUrl(url)
            : Path.IsPathFullyQualified(document.Source) && File.Exists(document.Source) ? DocumentSource.FromFile(document.Source)
            : throw new InvalidKnowledgeRequestException($"The original of document {id} ('{document.Source}') is no longer available; upload it again.", "id");
        IngestionJob job = await collections.StartIngestionAsync(name, [source], force: true, http.RequestAborted);
        return await RespondWithJobAsync(http, job);
    }

    private static async Task<IResult> ListJobs(HttpContext http, KnowledgeCollections collections)
    {
        Func<string, bool> visible = await VisibleAsync(http);
        return Results.Json(new { @object = "list", data = collections.Jobs.Where(j => visible(j.Collection)).Select(j => KnowledgeShapes.Job(j, withResults: false)) }, ServerJson.Options);
    }

    private static async Task<IResult> GetJob(HttpContext http, KnowledgeCollections collections, string id) =>
        Results.Json(KnowledgeShapes.Job(await FindJobAsync(http, collections, id)), ServerJson.Options);

    private static async Task<IResult> CancelJob(HttpContext http, KnowledgeCollections collections, string id)
    {
        IngestionJob job = await FindJobAsync(http, collections, id);
        job.Cancel();
        return Results.Json(KnowledgeShapes.Job(job, withResults: false), ServerJson.Options);
    }

    /// <summary>Server-sent events: a progress object at most every 200 ms while the job runs, then the finished job, then <c>[DONE]</c>.</summary>
    private static async Task<IResult> StreamJobAsync(HttpContext http, KnowledgeCollections collections, string id)
    {
        IngestionJob job = await FindJobAsync(http, collections, id);
        CancellationToken cancellationToken = http.RequestAborted;
        return await OpenAiEventStream.WriteAsync(http.Response, async writer =>
        {
            await foreach (IngestionJobProgress progress in job.WatchAsync(cancellationToken))
            {
                if (progress.Status != IngestionJobStatus.Running)
                {
                    break;
                }

                await writer.WriteAsync(KnowledgeShapes.Progress(progress), cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            await job.Completion.WaitAsync(cancellationToken);
            await writer.WriteAsync(KnowledgeShapes.Job(job), cancellationToken);
        }, cancellationToken);
    }

    private static async Task<IResult> ListNodesAsync(HttpContext http, KnowledgeCollections collections, string name) =>
        Results.Json(new { @object = "list", data = (await collections.GetNodesAsync(name, http.RequestAborted)).Select(KnowledgeShapes.Node) }, ServerJson.Options);

    /// <summary>Adds a remote node, or replaces the one of the same name (admin: the server will send queries and the key to that URL).</summary>
    private static async Task<IResult> AddNodeAsync(HttpContext http, KnowledgeCollections collections, string name)
    {
        AddNodeRequest request = await JsonBody.ReadAsync<AddNodeRequest>(http.Request, http.RequestAborted);
        KnowledgeNode node = request.ToNode(name);
        await collections.SetNodeAsync(name, node, http.RequestAborted);
        return Results.Json(KnowledgeShapes.Node(node), ServerJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RemoveNodeAsync(HttpContext http, KnowledgeCollections collections, string name, string node)
    {
        await collections.RemoveNodeAsync(name, node, http.RequestAborted);
        return Results.Json(new { @object = "knowledge.node.deleted", name = node, deleted = true }, ServerJson.Options);
    }

    /// <summary>
    /// Searches the collections and the remote nodes they include (unless <c>local_only</c>), merged by reciprocal-rank fusion
    /// when there are nodes; <c>partial</c> says whether a node failed or missed the deadline, <c>nodes</c> what each answered.
    /// </summary>
    private static async Task<IResult> SearchAsync(HttpContext http, KnowledgeCollections collections, IKnowledgeSearch federated)
    {
        KnowledgeSearchRequest request = await JsonBody.ReadAsync<KnowledgeSearchRequest>(http.Request, http.RequestAborted);
        SearchOptions search = request.ToOptions(out List<string> names);
        await EnsureAllowedAsync(http, names); // the federated search checks too; the local-only one is the store itself
        IKnowledgeSearch searcher = request.LocalOnly ? collections : federated;
        KnowledgeSearchResult result = await searcher.SearchAsync(names, request.Query!, search, http.RequestAborted);
        return Results.Json(
            new
            {
                @object = "list",
                data = result.Hits.Select((h, i) => KnowledgeShapes.Hit(h, i + 1)),
                partial = result.Partial,
                nodes = result.Nodes.Select(KnowledgeShapes.NodeStatus),
            },
            ServerJson.Options);
    }

    private static async Task<IResult> RespondWithJobAsync(HttpContext http, IngestionJob job)
    {
        if (!IsTrue(http.Request.Query["wait"]))
        {
            return Results.Json(KnowledgeShapes.Job(job, withResults: false), ServerJson.Options, statusCode: StatusCodes.Status202Accepted);
        }

        try
        {
            await job.Completion.WaitAsync(http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client gave up waiting: the job was started for it, so it stops too.
            job.Cancel();
            throw;
        }

        return Results.Json(KnowledgeShapes.Job(job), ServerJson.Options);
    }

    private static async Task<List<DocumentSource>> ReadUploadsAsync(HttpContext http, long maxBytes, string uploads, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBytes, ValueCountLimit = 10_000 }, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"The upload is larger than the server accepts ({maxBytes} bytes, Server:Knowledge:MaxUploadBytes): {ex.Message}");
        }

        if (form.Files.Count == 0)
        {
            throw ApiException.BadRequest("The form has no files; send each document as a file part.", "file");
        }

        // Every file is checked before any is kept, so that a batch with an unsupported file changes nothing.
        foreach (IFormFile file in form.Files)
        {
            if (!ContentFormats.IsSupported(file.FileName, file.ContentType))
            {
                throw new UnsupportedContentException(file.FileName, file.ContentType);
            }
        }

        var sources = new List<DocumentSource>(form.Files.Count);
        foreach (IFormFile file in form.Files)
        {
            string name = Path.GetFileName(file.FileName.Replace('\\', '/'));
            if (name.Length == 0)
            {
                throw ApiException.BadRequest("Every file part needs a file name.", "file");
            }

            using var buffer = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
            await file.CopyToAsync(buffer, cancellationToken);
            byte[] content = buffer.ToArray();
            await File.WriteAllBytesAsync(Path.Combine(uploads, name), content, cancellationToken);
            DocumentSource source = DocumentSource.FromBytes(name, content);
            sources.Add(ContentFormats.FromExtension(name) is null && ContentFormats.FromContentType(file.ContentType) is { } format ? source with { Format = format } : source);
        }

        return sources;
    }

    private static List<DocumentSource> ReadUrls(List<string>? urls)
    {
        if (urls is not { Count: > 0 })
        {
            throw ApiException.BadRequest("Send files as multipart/form-data, or JSON {\"urls\":[...]}.", "urls");
        }

        return [.. urls.Select((text, i) => Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"
            ? DocumentSource.FromUrl(url)
            : throw ApiException.BadRequest($"'{text}' is not an absolute http or https URL.", $"urls[{i}]"))];
    }

    private static async Task<StoredDocument> FindDocumentAsync(KnowledgeCollections collections, string name, long id, CancellationToken cancellationToken)
    {
        KnowledgeBase knowledgeBase = await collections.OpenAsync(name, cancellationToken);
        return await knowledgeBase.GetDocumentAsync(id, cancellationToken) ?? throw new DocumentNotFoundException(name, id);
    }

    private static async Task<IngestionJob> FindJobAsync(HttpContext http, KnowledgeCollections collections, string id)
    {
        IngestionJob job = collections.GetJob(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"There is no ingestion job '{id}'.", "id", "job_not_found");
        await EnsureAllowedAsync(http, [job.Collection]);
        return job;
    }

    /// <summary>Refuses a route that names a collection (<c>{name}</c>) the caller may not use, before the endpoint runs.</summary>
    private static async ValueTask<object?> CheckRouteCollectionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        if (http.Request.RouteValues.TryGetValue("name", out object? value) && value is string name)
        {
            await EnsureAllowedAsync(http, [name]);
        }

        return await next(context);
    }

    private static Task EnsureAllowedAsync(HttpContext http, IEnumerable<string> names) =>
        http.RequestServices.GetService<CollectionAccess>()?.EnsureAllowedAsync(names, http.RequestAborted) ?? Task.CompletedTask;

    private static Task<Func<string, bool>> VisibleAsync(HttpContext http) =>
        http.RequestServices.GetService<CollectionAccess>()?.ForCallerAsync(http.RequestAborted) ?? Task.FromResult<Func<string, bool>>(static _ => true);

    /// <summary>The kept copy of an uploaded document, when the document came from an upload.</summary>
    private static string? UploadPath(string uploads, string source)
    {
        string name = Path.GetFileName(source);
        string path = Path.Combine(uploads, name);
        return name == source && File.Exists(path) ? path : null;
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is "true" or "1";
}
