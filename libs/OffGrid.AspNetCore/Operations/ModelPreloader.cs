using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.Gguf;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Pooling;

namespace OffGrid.AspNetCore.Operations;

/// <summary>
/// Loads the models listed in <see cref="OffGridServerOptions.Preload"/> when the server starts and pins them in the pool;
/// the server reports ready (<c>/health</c>) only once they all are. A name that resolves to no model, or a local model that
/// cannot use the configured KV cache types (<see cref="LlamaEngineOptions.EnsureCacheTypesFit"/>, from its GGUF header),
/// or a draft model that cannot draft for it (<see cref="LlamaModelPool.CheckDraftModelAsync"/>, in process only), stops the start (<see cref="OptionsValidationException"/>): a server that could never be ready should say so at once.
/// </summary>
internal sealed class ModelPreloader : BackgroundService
{
    private readonly ModelAccess _models;
    private readonly OffGridServerOptions _options;
    private readonly ILogger<ModelPreloader> _logger;
    private volatile string? _failure;
    private volatile bool _ready;

    public ModelPreloader(ModelAccess models, IOptions<OffGridServerOptions> options, ILogger<ModelPreloader> logger)
    {
        _models = models;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Whether every preloaded model is loaded.</summary>
    public bool IsReady => _ready;

    /// <summary>Why preloading failed, or <see langword="null"/>.</summary>
    public string? Failure => _failure;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        for (int i = 0; i < _options.Preload.Count; i++)
        {
            try
            {
                LocalModel model = await _models.ResolveAsync(_options.Preload[i], cancellationToken);
                if (!model.IsRemote)
                {
                    _options.Pool.Engine.EnsureCacheTypesFit(await GgufFile.ReadAsync(model.Path, cancellationToken), model.Name);
                    if (!_models.IsIsolated)
                    {
                        // With a model worker llama.cpp stays out of this process: the worker (this program again, in process) checks it.
                        await _models.Pool.CheckDraftModelAsync(model.Path, cancellationToken);
                    }
                }
            }
            catch (Exception ex) when (ex is ModelNotFoundException or ModelLoadException or GgufFormatException)
            {
                problems.Add($"Server:Preload:{i} is '{_options.Preload[i]}': {ex.Message}");
            }
            catch (UnsupportedCacheTypeException ex)
            {
                problems.Add(OffGridServerOptions.DescribeCacheTypeProblem(ex));
            }
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(OffGridServerOptions.SectionName, typeof(OffGridServerOptions), problems);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (string name in _options.Preload)
        {
            try
            {
                // A negative keep-alive keeps the model until it is evicted: a preloaded model should not time out.
                using ModelSession session = await _models.OpenAsync(name, TimeSpan.FromSeconds(-1), stoppingToken);
                if (session.Lease is not null)
                {
                    _models.Pool.Pin(session.Model.Path);
                }

                _logger.LogInformation("Preloaded {Model} from {Path}.", session.Model.Name, session.Model.Path);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failure = $"Preloading '{name}' failed: {ex.Message}";
                _logger.LogError(ex, "Preloading {Model} failed; /health stays unavailable.", name);
                return;
            }
        }

        _ready = true;
    }
}
