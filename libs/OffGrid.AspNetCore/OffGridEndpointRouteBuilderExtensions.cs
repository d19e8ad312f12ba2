using Microsoft.AspNetCore.Routing;
using OffGrid.Agents;
using OffGrid.AspNetCore.Agents;
using OffGrid.AspNetCore.Audio;
using OffGrid.AspNetCore.Backends;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Knowledge;
using OffGrid.AspNetCore.Ollama;
using OffGrid.AspNetCore.OpenAi;
using OffGrid.AspNetCore.Operations;
using OffGrid.AspNetCore.Peers;
using OffGrid.AspNetCore.Pooling;
using OffGrid.AspNetCore.Quantization;
using OffGrid.AspNetCore.Tools;
using OffGrid.AspNetCore.WebUi;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Users;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps OffGrid's HTTP surfaces into an app, in the shape of <c>MapMcp</c>. Each returns its route group, so an app can
/// add its own conventions (<c>.RequireAuthorization()</c>, rate limiting, CORS). Requires <c>AddOffGridServer</c>.
/// </summary>
public static class OffGridEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the OpenAI-compatible API (reference: https://platform.openai.com/docs/api-reference): chat completions and
    /// completions (with server-sent events), embeddings, models, and audio (transcriptions and translations on Whisper,
    /// speech on Piper and espeak-ng voices). Errors use OpenAI's shape
    /// <c>{"error":{"message","type","param","code"}}</c>.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix; OpenAI clients expect <c>/v1</c> at the end of their base URL.</param>
    /// <returns>The route group.</returns>
    public static RouteGroupBuilder MapOpenAi(this IEndpointRouteBuilder endpoints, string pattern = "/v1")
    {
        RouteGroupBuilder group = OpenAiGroup(endpoints, pattern);
        group.MapPost("/chat/completions", ChatCompletionEndpoint.HandleAsync);
        group.MapPost("/completions", CompletionEndpoint.HandleAsync);
        group.MapPost("/embeddings", EmbeddingEndpoint.HandleAsync);
        group.MapGet("/models", ModelsEndpoint.ListAsync);
        group.MapGet("/models/{**id}", ModelsEndpoint.GetAsync);
        group.MapPost("/audio/transcriptions", TranscriptionEndpoint.TranscribeAsync).DisableAntiforgery();
        group.MapPost("/audio/translations", TranscriptionEndpoint.TranslateAsync).DisableAntiforgery();
        group.MapPost("/audio/speech", SpeechEndpoint.HandleAsync);
        return group;
    }

    /// <summary>
    /// Maps the Ollama-compatible API (reference: https://github.com/ollama/ollama/blob/main/docs/api.md): chat and
    /// generate (NDJSON streaming), embeddings, and model management over the OffGrid model store. Errors use Ollama's
    /// shape <c>{"error":"..."}</c>.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix; Ollama clients expect <c>/api</c>.</param>
    /// <returns>The route group.</returns>
    public static RouteGroupBuilder MapOllama(this IEndpointRouteBuilder endpoints, string pattern = "/api")
    {
        RouteGroupBuilder group = ApiGroup(endpoints, pattern, OllamaShapes.Error);
        group.MapPost("/chat", OllamaGenerationEndpoints.ChatAsync);
        group.MapPost("/generate", OllamaGenerationEndpoints.GenerateAsync);
        group.MapPost("/embed", OllamaEmbedEndpoints.EmbedAsync);
        group.MapPost("/embeddings", OllamaEmbedEndpoints.EmbeddingsAsync);
        group.MapGet("/tags", OllamaModelEndpoints.TagsAsync);
        group.MapPost("/show", OllamaModelEndpoints.ShowAsync);
        group.MapGet("/ps", OllamaModelEndpoints.PsAsync);
        group.MapPost("/pull", OllamaModelEndpoints.PullAsync).WithMetadata(RequiredRole.Admin);
        group.MapDelete("/delete", OllamaModelEndpoints.DeleteAsync).WithMetadata(RequiredRole.Admin);
        group.MapGet("/version", OllamaModelEndpoints.Version);

        // Ollama's endpoints for building and publishing models have no counterpart in OffGrid's store: they answer
        // with a clear error in Ollama's shape instead of an empty 404.
        group.MapPost("/create", () => OllamaModelEndpoints.Unsupported("Creating models from a Modelfile is not supported; pull a GGUF model or serve a .gguf file."));
        group.MapPost("/copy", () => OllamaModelEndpoints.Unsupported("Copying models is not supported; add a name for a model file in the server's model list instead."));
        group.MapPost("/push", () => OllamaModelEndpoints.Unsupported("Pushing models is not supported: an OffGrid server publishes nothing."));
        group.MapMethods("/blobs/{digest}", ["HEAD", "POST"], () => OllamaModelEndpoints.Unsupported("Uploading blobs is not supported (it only serves /api/create)."));
        return group;
    }

    /// <summary>
    /// Maps OffGrid's own API beside OpenAI's, in OpenAI's error shape: <c>GET|POST search</c> (GGUF models on the Hugging
    /// Face Hub or its mirror), <c>POST benchmark</c> (prompt and generation throughput of a served model), <c>GET backends</c>
    /// (the remote backends: status, requests in flight, time to first token, models, and each remote model's pool with its
    /// strategy), and LAN peer-to-peer under <c>p2p</c>: <c>GET p2p/status</c> (this machine's sharing), <c>GET p2p/peers</c> (the peers
    /// of its network, by DNS-SD and the manual list), <c>GET p2p/peers/{peer}/models</c> (size, SHA-256 and signature
    /// of what a peer shares), <c>POST p2p/downloads</c> (<c>{"model","peers"}</c>: start a download from peers into
    /// the store, 202), <c>GET p2p/downloads[/{id}]</c>, <c>GET p2p/downloads/{id}/events</c> (progress as server-sent
    /// events) and <c>DELETE p2p/downloads/{id}</c> (cancel; received bytes are kept). On-device quantization (admin):
    /// <c>POST quantize</c> (<c>{"model","type","output"}</c>: checked at once, then a job, 202), <c>GET quantize[/{id}]</c>
    /// (poll status and per-tensor progress), <c>DELETE quantize/{id}</c> (cancel; nothing enters the store) and
    /// <c>GET quantize/types</c> (the types the runtime writes). The model pool (admin): <c>GET pool</c> (loaded models,
    /// the names they serve, estimated bytes, pins, a swapped-out file still draining), <c>POST pool/pin</c> (loads the model
    /// if needed) and <c>pool/unpin</c> (<c>{"model"}</c>) and <c>POST pool/swap</c> (<c>{"model","replacement"}</c>: hot-swap;
    /// requests in flight finish on the old file, which then unloads), <c>POST pool/unload</c> (<c>{"model"}</c>: unload an idle
    /// model now; <c>{"path"}</c>: that file as it is, no hot-swap followed); with model isolation these act on the worker's pool.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group.</returns>
    public static RouteGroupBuilder MapOffGrid(this IEndpointRouteBuilder endpoints, string pattern = "/v1")
    {
        RouteGroupBuilder group = OpenAiGroup(endpoints, pattern);
        group.MapGet("/search", SearchEndpoint.GetAsync);
        group.MapPost("/search", SearchEndpoint.PostAsync);
        group.MapPost("/benchmark", BenchmarkEndpoint.HandleAsync).WithMetadata(RequiredRole.Admin);
        group.MapGet("/backends", BackendsEndpoint.GetAsync);
        group.MapGet("/p2p/status", PeerEndpoints.StatusAsync);
        group.MapGet("/p2p/peers", PeerEndpoints.PeersAsync);
        group.MapGet("/p2p/peers/{peer}/models", PeerEndpoints.ModelsAsync);
        group.MapPost("/p2p/downloads", PeerEndpoints.StartDownloadAsync).WithMetadata(RequiredRole.Admin);
        group.MapGet("/p2p/downloads", PeerEndpoints.ListDownloads);
        group.MapGet("/p2p/downloads/{id}", PeerEndpoints.GetDownload);
        group.MapGet("/p2p/downloads/{id}/events", PeerEndpoints.DownloadEventsAsync);
        group.MapDelete("/p2p/downloads/{id}", PeerEndpoints.CancelDownloadAsync).WithMetadata(RequiredRole.Admin);
        group.MapGet("/quantize/types", QuantizationEndpoints.Types);
        RouteGroupBuilder quantize = group.MapGroup("/quantize").WithMetadata(RequiredRole.Admin);
        quantize.MapPost(string.Empty, QuantizationEndpoints.StartAsync);
        quantize.MapGet(string.Empty, QuantizationEndpoints.List);
        quantize.MapGet("/{id}", QuantizationEndpoints.Get);
        quantize.MapDelete("/{id}", QuantizationEndpoints.CancelAsync);
        RouteGroupBuilder pool = group.MapGroup("/pool").WithMetadata(RequiredRole.Admin);
        pool.MapGet(string.Empty, PoolEndpoints.GetAsync);
        pool.MapPost("/pin", PoolEndpoints.PinAsync);
        pool.MapPost("/unpin", PoolEndpoints.UnpinAsync);
        pool.MapPost("/swap", PoolEndpoints.SwapAsync);
        pool.MapPost("/unload", PoolEndpoints.UnloadAsync);
        return group;
    }

    /// <summary>
    /// Maps the knowledge API in OpenAI's error shape (requires <c>AddKnowledge</c>): <c>collections</c> (create with an embedding
    /// model and chunking, list, get with statistics, delete), <c>collections/{name}/documents</c> (multipart upload of one or
    /// many files, or JSON <c>{"urls":[...]}</c>; list, get, delete, <c>{id}/reingest</c>), <c>jobs</c> (status, server-sent
    /// progress at <c>jobs/{id}/events</c>, <c>jobs/{id}/cancel</c>) and <c>search</c> (hybrid, with citations). An unsupported
    /// file type gets 415 with the supported list; a document that fails is a failed result of its job, never a failed job.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group.</returns>
    public static RouteGroupBuilder MapOffGridKnowledge(this IEndpointRouteBuilder endpoints, string pattern = "/v1/knowledge")
    {
        RouteGroupBuilder group = OpenAiGroup(endpoints, pattern);
        KnowledgeEndpoints.Map(group);
        return group;
    }

    /// <summary>
    /// Maps the agents API in OpenAI's error shape (requires <c>AddTools</c>): agent templates (<c>GET</c>, <c>POST</c> in the template
    /// file's shape, <c>GET|DELETE {name}</c>) and runs: <c>POST runs</c> (<c>{"model","task","agent"|"agents","mode","lead","rounds","max_tokens","stream"}</c>;
    /// <c>"stream":true</c> answers with the steps as server-sent events, then the run, then <c>[DONE]</c>), <c>GET runs</c>,
    /// <c>GET runs/{id}</c> (with its transcript), <c>GET runs/{id}/events?after=N</c>, <c>POST runs/{id}/cancel</c> and
    /// <c>POST runs/{id}/resume</c>. Runs, transcripts and agent memory are kept in SQLite under the home folder.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group: user-level endpoints (secure it with <c>RequireOffGridApiKey()</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddTools</c> was not called.</exception>
    public static RouteGroupBuilder MapOffGridAgents(this IEndpointRouteBuilder endpoints, string pattern = "/v1/agents")
    {
        RouteGroupBuilder group = ToolsGroup(endpoints, pattern);
        AgentEndpoints.Map(group);
        return group;
    }

    /// <summary>
    /// Maps the governance API in OpenAI's error shape, each route with its role (requires <c>WithGovernance</c>):
    /// <list type="bullet">
    /// <item><c>GET|POST users</c>, <c>GET|PATCH|DELETE users/{name}</c>, <c>PUT|DELETE users/{name}/quota</c>: accounts,
    /// permissions and per-user limits (admin).</item>
    /// <item><c>GET|POST keys</c>, <c>DELETE keys/{id}</c>, <c>POST keys/{id}/regenerate</c>: one's own API keys; an
    /// administrator's anyone's (user).</item>
    /// <item><c>GET usage</c>: limits and use per UTC day (user).</item>
    /// <item><c>GET audit/export?format=json|csv|xlsx</c>, <c>GET audit/verify</c>: the audit log (auditor).</item>
    /// <item><c>POST auth/login</c>: a user name and password for a new expiring key (public, with lockout).</item>
    /// </list>
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group.</returns>
    public static RouteGroupBuilder MapOffGridGovernance(this IEndpointRouteBuilder endpoints, string pattern = "/v1")
    {
        RouteGroupBuilder group = OpenAiGroup(endpoints, pattern);
        RouteGroupBuilder users = group.MapGroup("/users").RequireOffGridRole(UserRole.Admin);
        users.MapGet(string.Empty, UsersEndpoints.ListAsync);
        users.MapPost(string.Empty, UsersEndpoints.CreateAsync);
        users.MapGet("/{name}", UsersEndpoints.GetAsync);
        users.MapPatch("/{name}", UsersEndpoints.UpdateAsync);
        users.MapDelete("/{name}", UsersEndpoints.DeleteAsync);
        users.MapPut("/{name}/quota", UsersEndpoints.SetQuotaAsync);
        users.MapDelete("/{name}/quota", UsersEndpoints.ClearQuotaAsync);

        RouteGroupBuilder keys = group.MapGroup("/keys").RequireOffGridRole(UserRole.User);
        keys.MapGet(string.Empty, KeysEndpoints.ListAsync);
        keys.MapPost(string.Empty, KeysEndpoints.CreateAsync);
        keys.MapDelete("/{id}", KeysEndpoints.RevokeAsync);
        keys.MapPost("/{id}/regenerate", KeysEndpoints.RegenerateAsync);

        group.MapGet("/usage", UsageEndpoint.GetAsync).RequireOffGridRole(UserRole.User);

        RouteGroupBuilder audit = group.MapGroup("/audit").RequireOffGridRole(UserRole.Auditor);
        audit.MapGet("/export", AuditEndpoints.ExportAsync);
        audit.MapGet("/verify", AuditEndpoints.VerifyAsync);

        group.MapPost("/auth/login", SignInEndpoint.HandleAsync).AllowPublic();
        return group;
    }

    /// <summary>
    /// Maps what any caller may read about the server's tools, in OpenAI's error shape: <c>GET tools</c> (the names a chat
    /// request may list in <c>server_tools</c>: MCP servers, plugins, custom tools), <c>GET tools/{name}</c> (a custom tool's
    /// definition), <c>GET mcp/servers</c> (each MCP server's state) and <c>GET mcp/servers/{name}</c> (its tools, prompts
    /// and resources). Requires <c>AddOffGridServer(...).AddTools()</c>.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group: user-level endpoints (secure it with <c>RequireOffGridApiKey()</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddTools</c> was not called.</exception>
    public static RouteGroupBuilder MapOffGridTools(this IEndpointRouteBuilder endpoints, string pattern = "/v1")
    {
        RouteGroupBuilder group = ToolsGroup(endpoints, pattern);
        group.MapGet("/tools", ToolsEndpoints.List);
        group.MapGet("/tools/{name}", ToolsEndpoints.Get);
        group.MapGet("/mcp/servers", ToolsEndpoints.Servers);
        group.MapGet("/mcp/servers/{name}", ToolsEndpoints.ServerAsync);
        return group;
    }

    /// <summary>
    /// Maps the endpoints that change or run the server's custom tools, in OpenAI's error shape: <c>POST tools</c> (a tool
    /// definition, as its file holds it; <c>?replace=true</c>), <c>DELETE tools/{name}</c> and <c>POST tools/{name}/test</c>.
    /// They are for administrators: each endpoint declares the admin role, which <c>RequireOffGridApiKey()</c> on the
    /// returned group enforces (OffGrid.Governance); which programs shell tools may run is configuration, never set here.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The prefix.</param>
    /// <returns>The route group: administrator endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTools</c> was not called.</exception>
    public static RouteGroupBuilder MapOffGridToolAdministration(this IEndpointRouteBuilder endpoints, string pattern = "/v1")
    {
        RouteGroupBuilder group = ToolsGroup(endpoints, pattern);
        group.MapPost("/tools", ToolAdministrationEndpoints.CreateAsync).WithMetadata(RequiredRole.Admin);
        group.MapDelete("/tools/{name}", ToolAdministrationEndpoints.Delete).WithMetadata(RequiredRole.Admin);
        group.MapPost("/tools/{name}/test", ToolAdministrationEndpoints.TestAsync).WithMetadata(RequiredRole.Admin);
        return group;
    }

    /// <summary>
    /// Maps the Model Context Protocol endpoint (Streamable HTTP) that offers OffGrid's tools to MCP clients. Requires
    /// <c>AddOffGridServer(...).AddMcpServer().WithHttpTransport()</c>.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The path.</param>
    /// <returns>The endpoints, for conventions such as <c>RequireOffGridApiKey()</c> (user-level).</returns>
    public static IEndpointConventionBuilder MapOffGridMcp(this IEndpointRouteBuilder endpoints, string pattern = "/mcp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapMcp(pattern);
    }

    /// <summary>
    /// Maps the health probe: 200 <c>{"status":"ok","loaded_models":[...]}</c> once the preloaded models are loaded,
    /// else 503 with <c>"loading"</c> or <c>"failed"</c> and the error.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The path.</param>
    /// <returns>The endpoint.</returns>
    public static RouteHandlerBuilder MapOffGridHealth(this IEndpointRouteBuilder endpoints, string pattern = "/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, HealthEndpoint.GetAsync);
    }

    /// <summary>Maps the offline chat page (one embedded HTML file: no CDN, no web root) that talks to the OpenAI API under <c>/v1</c>.</summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="pattern">The path.</param>
    /// <returns>The endpoint.</returns>
    public static RouteHandlerBuilder MapOffGridWebUi(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, WebUiEndpoint.Page);
    }

    private static RouteGroupBuilder ToolsGroup(IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _ = endpoints.ServiceProvider.GetService<Toolbox>()
            ?? throw new InvalidOperationException("The tool endpoints need the toolbox: call AddOffGridServer(...).AddTools() first.");
        return OpenAiGroup(endpoints, pattern);
    }

    private static RouteGroupBuilder OpenAiGroup(IEndpointRouteBuilder endpoints, string pattern) => ApiGroup(endpoints, pattern, OpenAiShapes.Error);

    private static RouteGroupBuilder ApiGroup(IEndpointRouteBuilder endpoints, string pattern, Func<ApiError, object> shape)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var errors = new ApiErrorFilter(shape);
        if (endpoints is not RouteGroupBuilder)
        {
            // Inside another group the full prefix is the framework's secret: such routes keep the framework's bare 404.
            endpoints.ServiceProvider.GetService<ApiRoutePrefixes>()?.Add(pattern, shape);
        }

        return endpoints.MapGroup(pattern).AddEndpointFilter(errors).WithMetadata(errors);
    }
}
