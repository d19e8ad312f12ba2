using System.Reflection;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Models;
using OffGrid.AspNetCore.Pooling;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Ollama;

/// <summary>Ollama's model management: <c>/api/tags</c>, <c>/api/show</c>, <c>/api/ps</c>, <c>/api/pull</c>, <c>/api/delete</c>, <c>/api/version</c>.</summary>
internal static class OllamaModelEndpoints
{
    public static async Task<IResult> TagsAsync(HttpContext http, ModelAccess models, RemoteBackends backends, ILogger<ModelAccess> logger)
    {
        var tags = new List<object>();
        foreach (LocalModel model in await models.ListVisibleAsync(http))
        {
            try
            {
                tags.Add(await OllamaModelDescription.DescribeAsync(models.Served(model), backends, http.RequestAborted));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or GgufFormatException)
            {
                // One broken entry (a referenced file deleted or damaged) must not hide every other model.
                logger.LogWarning("Leaving {Model} out of /api/tags: {Reason}", model.Name, ex.Message);
            }
        }

        return Results.Json(new { models = tags }, ServerJson.Options);
    }

    public static async Task<IResult> ShowAsync(HttpContext http, ModelAccess models, RemoteBackends backends)
    {
        OllamaModelRequest request = await JsonBody.ReadAsync<OllamaModelRequest>(http.Request, http.RequestAborted);
        LocalModel model = await models.ResolveVisibleAsync(http, request.ModelName);
        return Results.Json(await OllamaModelDescription.ShowAsync(models.Served(model), backends, http.RequestAborted), ServerJson.Options);
    }

    /// <summary>
    /// The loaded models, in process or in the model worker alike: each file once, under the first name the caller may see (after
    /// a hot-swap the swapped name, such as <c>stories</c>, before the replacement's own). A file a swap replaced serves no name
    /// while it finishes its requests, so it is left out (<c>GET /v1/pool</c> lists it as draining).
    /// </summary>
    public static async Task<IResult> PsAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        Func<string, bool> visible = await ModelAccess.VisibilityAsync(http);
        var running = new List<object>();
        foreach (PoolEntry entry in await models.GetLoadedAsync(cancellationToken))
        {
            if (entry.Draining || entry.Names.DefaultIfEmpty(entry.Model).FirstOrDefault(visible) is not { } name)
            {
                continue;
            }

            GgufFile gguf = await GgufFile.ReadAsync(entry.Path, cancellationToken);
            running.Add(new
            {
                name,
                model = name,
                size = entry.SizeBytes,
                size_vram = 0,
                digest = OllamaModelDescription.Digest(new FileInfo(entry.Path)),
                details = OllamaModelDescription.Details(gguf),
                expires_at = entry.ExpiresAt is { } expires ? DateTimeOffset.FromUnixTimeSeconds(expires) : DateTimeOffset.MaxValue,
                context_length = entry.ContextSize,
            });
        }

        return Results.Json(new { models = running }, ServerJson.Options);
    }

    /// <summary>An Ollama endpoint OffGrid does not offer: 501 with the reason, in Ollama's error shape.</summary>
    public static IResult Unsupported(string reason) =>
        Results.Json(OllamaShapes.Error(new ApiError(StatusCodes.Status501NotImplemented, reason)), ServerJson.Options, statusCode: StatusCodes.Status501NotImplemented);

    public static IResult Version() => Results.Json(new
    {
        version = typeof(OllamaModelEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
    }, ServerJson.Options);

    public static async Task<IResult> DeleteAsync(HttpContext http, ModelAccess models)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaModelRequest request = await JsonBody.ReadAsync<OllamaModelRequest>(http.Request, cancellationToken);
        string name = request.ModelName is { Length: > 0 } n ? n : throw ApiException.BadRequest("The 'model' field is required.", "model");
        ModelManifest manifest = await models.Store.FindAsync(name, cancellationToken)
            ?? throw ApiException.ModelNotFound($"The model '{name}' is not in the model store.");
        if (!await models.ReleaseFileAsync(manifest.PrimaryFilePath, cancellationToken))
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"The model '{name}' is serving requests; try again when they finish.", "model");
        }

        await models.Store.RemoveAsync(manifest.Name, cancellationToken);
        return Results.Ok();
    }

    public static async Task<IResult> PullAsync(HttpContext http, ModelAccess models, IOptions<OffGridServerOptions> options)
    {
        CancellationToken cancellationToken = http.RequestAborted;
        OllamaModelRequest request = await JsonBody.ReadAsync<OllamaModelRequest>(http.Request, cancellationToken);
        string name = request.ModelName is { Length: > 0 } n ? n : throw ApiException.BadRequest("The 'model' field is required.", "model");
        CheckLocalPath(name, options.Value);
        if (!request.Stream)
        {
            await models.Store.PullAsync(name, progress: null, cancellationToken);
            return Results.Json(new { status = "success" }, ServerJson.Options);
        }

        var events = Channel.CreateUnbounded<PullProgress>(new UnboundedChannelOptions { SingleReader = true });
        Task<ModelManifest> pull = PullReportingAsync(models.Store, name, events.Writer, cancellationToken);

        // Hold the response back until the pull is past resolving, so an unknown model still gets a 404 status.
        var pending = new List<PullProgress>();
        bool resolved = false;
        await foreach (PullProgress progress in events.Reader.ReadAllAsync(cancellationToken))
        {
            pending.Add(progress);
            if (progress.Status != PullStatus.Resolving)
            {
                resolved = true;
                break;
            }
        }

        if (!resolved)
        {
            await pull; // the pull ended while resolving: its failure goes to the error filter
        }

        var writer = ChunkedJsonWriter.NewlineDelimited(http.Response);
        try
        {
            foreach (PullProgress progress in pending)
            {
                await writer.WriteAsync(Describe(progress, name), cancellationToken);
            }

            await foreach (PullProgress progress in events.Reader.ReadAllAsync(cancellationToken))
            {
                await writer.WriteAsync(Describe(progress, name), cancellationToken);
            }

            await pull;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await writer.WriteAsync(OllamaShapes.Error(ApiError.From(ex)), cancellationToken);
        }

        return Results.Empty;
    }

    private static async Task<ModelManifest> PullReportingAsync(ModelStore store, string name, ChannelWriter<PullProgress> events, CancellationToken cancellationToken)
    {
        try
        {
            return await store.PullAsync(name, new ChannelProgress(events), cancellationToken);
        }
        finally
        {
            events.TryComplete();
        }
    }

    // A path names a file on the server's disk: importing it is serving it by path, which only AllowModelPaths permits.
    private static void CheckLocalPath(string name, OffGridServerOptions options)
    {
        if (!ModelReference.TryParse(name, out ModelReference? reference) || reference.Kind != ModelReferenceKind.LocalFile)
        {
            return;
        }

        if (!options.AllowModelPaths)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"'{name}' is a file path, and this server does not take models by path (Server:AllowModelPaths).", "model");
        }

        if (!File.Exists(reference.LocalPath))
        {
            throw ApiException.ModelNotFound($"The model file '{reference.LocalPath}' does not exist.");
        }

        if (!GgufFile.HasGgufSignature(reference.LocalPath!))
        {
            throw ApiException.BadRequest($"'{reference.LocalPath}' is not a GGUF model file.", "model");
        }
    }

    /// <summary>Ollama's pull status lines.</summary>
    private static object Describe(PullProgress progress, string name) => progress.Status switch
    {
        PullStatus.Resolving => new { status = "pulling manifest" },
        PullStatus.Downloading => new { status = $"pulling {name}", digest = name, total = progress.TotalBytes ?? 0, completed = progress.BytesReceived },
        PullStatus.Verifying => new { status = "verifying sha256 digest" },
        _ => (object)new { status = "success" },
    };

    /// <summary>Passes progress on in order, on the reporting thread (<see cref="Progress{T}"/> would reorder it).</summary>
    private sealed class ChannelProgress(ChannelWriter<PullProgress> events) : IProgress<PullProgress>
    {
        public void Report(PullProgress value) => events.TryWrite(value);
    }
}
