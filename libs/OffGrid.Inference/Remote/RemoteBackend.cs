using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace OffGrid.Inference.Remote;

/// <summary>
/// A remote engine — an OpenAI-compatible server (llama-server, vLLM, LocalAI), Ollama, or another OffGrid server — whose
/// models are Microsoft.Extensions.AI clients like local ones: <see cref="CreateChatClient"/> and
/// <see cref="CreateEmbeddingGenerator"/> go at the bottom of the same pipelines, so tools, structured output, RAG,
/// quotas and audit middleware work on remote models unchanged.
/// </summary>
/// <remarks>
/// The clients come from Microsoft.Extensions.AI.OpenAI and OllamaSharp over one connection pool per backend, with the
/// libraries' own retries off (a balancer fails over instead). Every client enforces <see cref="RemoteBackendOptions"/>'
/// timeouts and turns transport and protocol failures into <see cref="BackendUnavailableException"/> naming this
/// backend, and a request the backend rejects into <see cref="InvalidRequestException"/>. Thread-safe.
/// </remarks>
public sealed class RemoteBackend : IDisposable
{
    private const string OllamaDefaultTag = ":latest";

    private readonly HttpClient _http;
    private readonly OpenAIClient? _openAi;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">The backend's name in listings, metrics and error messages.</param>
    /// <param name="options">Its settings.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or <paramref name="options"/> are invalid (<see cref="RemoteBackendOptions.Validate"/>).</exception>
    public RemoteBackend(string name, RemoteBackendOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException($"The backend '{name}' is misconfigured: {string.Join(" ", errors)}", nameof(options));
        }

        Name = name;
        Options = options;
        Endpoint = new Uri(options.Endpoint!.TrimEnd('/') + "/");
        HealthUri = new Uri(Endpoint, options.Kind switch
        {
            RemoteBackendKind.OpenAi => "models",
            RemoteBackendKind.Ollama => "api/version",
            _ => "health",
        });

        // One pool of connections per backend; the clients' own timeouts stay off because RemoteChatClient enforces the
        // backend's, which distinguish a slow first token from a slow answer.
        // Idle connections are dropped after 2 s, before llama-server's 5 s keep-alive timeout closes them; a request that
        // still meets a connection closed under it (llama-server also closes one after every streamed answer) is sent again.
        // Every request counts its hop, so that an endpoint leading back to this server is refused (RemoteHops).
        var handler = new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) };
        _http = new HttpClient(new HopCountingHandler(new StaleConnectionRetryHandler(handler))) { BaseAddress = Endpoint, Timeout = Timeout.InfiniteTimeSpan };
        if (options.Kind != RemoteBackendKind.Ollama)
        {
            _openAi = new OpenAIClient(new ApiKeyCredential(options.ApiKey is { Length: > 0 } key ? key : "none"), new OpenAIClientOptions
            {
                Endpoint = options.Kind == RemoteBackendKind.OffGrid ? new Uri(Endpoint, "v1") : Endpoint,
                Transport = new HttpClientPipelineTransport(_http),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            });
        }
    }

    /// <summary>Gets the backend's name.</summary>
    public string Name { get; }

    /// <summary>Gets the settings.</summary>
    public RemoteBackendOptions Options { get; }

    /// <summary>Gets the API the backend speaks.</summary>
    public RemoteBackendKind Kind => Options.Kind;

    /// <summary>Gets the configured endpoint, ending in <c>/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the address a health check probes: <c>{endpoint}/models</c>, <c>/api/version</c> or <c>/health</c> by <see cref="Kind"/>.</summary>
    public Uri HealthUri { get; }

    /// <summary>Gets the HTTP client of the backend's connection pool, with <see cref="Endpoint"/> as its base address (for APIs beyond chat and embeddings, such as an OffGrid node's knowledge search).</summary>
    public HttpClient Http => _http;

    /// <summary>Creates a chat client for one of the backend's models.</summary>
    /// <param name="model">The backend's own name for the model.</param>
    /// <returns>A client whose metadata names this backend's provider, address and model; disposing it leaves the backend open.</returns>
    public IChatClient CreateChatClient(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        IChatClient inner = _openAi is not null ? _openAi.GetChatClient(model).AsIChatClient() : new OllamaApiClient(_http, model);
        return new RemoteChatClient(inner, this, model);
    }

    /// <summary>Creates an embedding generator for one of the backend's models.</summary>
    /// <param name="model">The backend's own name for the model.</param>
    /// <returns>A generator; disposing it leaves the backend open.</returns>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        IEmbeddingGenerator<string, Embedding<float>> inner = _openAi is not null ? _openAi.GetEmbeddingClient(model).AsIEmbeddingGenerator() : new OllamaApiClient(_http, model);
        return new RemoteEmbeddingGenerator(inner, this, model);
    }

    /// <summary>
    /// Lists the models served through this backend: <see cref="RemoteBackendOptions.Models"/> when configured (no request),
    /// otherwise what the backend lists (<c>GET /models</c> or Ollama's <c>/api/tags</c>) under its own names.
    /// </summary>
    /// <param name="cancellationToken">Cancels the listing; the backend's <see cref="RemoteBackendOptions.FirstTokenTimeout"/> bounds it too.</param>
    /// <returns>The name clients use mapped to the backend's name for it.</returns>
    /// <exception cref="BackendUnavailableException">The backend could not be asked.</exception>
    public async Task<IReadOnlyDictionary<string, string>> GetModelsAsync(CancellationToken cancellationToken = default)
    {
        if (Options.Models.Count > 0)
        {
            return new Dictionary<string, string>(Options.Models, StringComparer.OrdinalIgnoreCase);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.FirstTokenTimeout);
        try
        {
            IEnumerable<string> names = _openAi is not null
                ? (await _openAi.GetOpenAIModelClient().GetModelsAsync(timeout.Token).ConfigureAwait(false)).Value.Select(m => m.Id)
                : (await new OllamaApiClient(_http).ListLocalModelsAsync(timeout.Token).ConfigureAwait(false)).Select(m => m.Name);
            var models = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in names.Where(n => !string.IsNullOrWhiteSpace(n)))
            {
                string served = Kind == RemoteBackendKind.Ollama && name.EndsWith(OllamaDefaultTag, StringComparison.OrdinalIgnoreCase) ? name[..^OllamaDefaultTag.Length] : name;
                models.TryAdd(served, name);
            }

            return models;
        }
        catch (Exception ex) when (RemoteFailures.Translate(ex, this, "listing its models", timeout, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Closes the backend's connections.</summary>
    public void Dispose() => _http.Dispose();
}
