using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Pooling;
using Spectre.Console;

namespace OffGrid.Cli.Models;

/// <summary>One model loaded for the length of a command, with its engine and chat pipeline.</summary>
internal sealed class LocalModelSession : IDisposable
{
    private readonly LlamaModelPool _pool;
    private readonly LlamaModelLease _lease;

    private LocalModelSession(LlamaModelPool pool, LlamaModelLease lease, IChatClient chatClient)
    {
        _pool = pool;
        _lease = lease;
        ChatClient = chatClient;
    }

    /// <summary>The model's chat pipeline (the pool's client at the bottom), as an embedded app would build it.</summary>
    public IChatClient ChatClient { get; }

    /// <summary>The engine serving the model.</summary>
    public LlamaEngine Engine => _lease.Engine;

    /// <summary>Loads the runtime (installing it on first use) and then the model at <paramref name="path"/>.</summary>
    /// <param name="console">Shows the runtime download and a loading status.</param>
    /// <param name="path">The GGUF file.</param>
    /// <param name="engine">The context size and parallelism the command needs.</param>
    /// <param name="cancellationToken">Stops a download or the wait for the load.</param>
    /// <param name="pipeline">Adds middleware above the pool's client (function invocation when tools are offered).</param>
    /// <param name="loggerFactory">Receives the pool's and engine's log (a saved prompt state ignored, and why); <see langword="null"/> for none.</param>
    public static async Task<LocalModelSession> LoadAsync(CliConsole console, string path, LlamaEngineOptions engine, CancellationToken cancellationToken, Action<ChatClientBuilder>? pipeline = null, ILoggerFactory? loggerFactory = null)
    {
        await RuntimeLoader.LoadAsync(console, options: null, cancellationToken).ConfigureAwait(false);
        var pool = new LlamaModelPool(new LlamaModelPoolOptions { MaxLoadedModels = 1, KeepAlive = Timeout.InfiniteTimeSpan, Engine = engine }, loggerFactory);
        try
        {
            LlamaModelLease lease = console.Error.Profile.Capabilities.Interactive
                ? await console.Error.Status().StartAsync(
                    $"Loading {Markup.Escape(Path.GetFileName(path))}",
                    _ => pool.AcquireAsync(path, cancellationToken: cancellationToken)).ConfigureAwait(false)
                : await pool.AcquireAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            ChatClientBuilder builder = pool.CreateChatClient(path).AsBuilder();
            pipeline?.Invoke(builder);
            return new LocalModelSession(pool, lease, builder.Build());
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ChatClient.Dispose();
        _lease.Dispose();
        _pool.Dispose();
    }
}
