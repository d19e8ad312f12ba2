using System.Text.Json;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Pooling;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// The pool changes an administrator made in the model worker (<c>POST /v1/pool/swap</c>, <c>/pin</c>, <c>/unpin</c>), kept by
/// the server so that a restarted worker is given them again (<see cref="ModelWorker"/>): a crash must not silently undo a
/// hot-swap or a pin. Preloaded models need no entry: the worker preloads and pins them itself from the configuration.
/// </summary>
/// <remarks>
/// Thread-safe. One entry per kind and model name, the latest: swapping a name again replaces its earlier swap, and a pin and an
/// unpin of one name replace each other, so the journal never grows past the names an administrator touched. Entries are
/// replayed in the order they were last made, which is the order the pool saw them (a pin after a swap pins the replacement).
/// </remarks>
internal sealed class WorkerPoolJournal
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];

    /// <summary>Records a pool change the worker accepted.</summary>
    /// <param name="path">The request's path relative to the root, such as <c>v1/pool/pin</c>; other paths are ignored.</param>
    /// <param name="body">The JSON body the worker accepted.</param>
    public void Record(string path, string body)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(body);
        string action = path[(path.LastIndexOf('/') + 1)..];
        if (action is not ("swap" or "pin" or "unpin")
            || JsonSerializer.Deserialize<PoolRequest>(body, ServerJson.Options) is not { Model: { } model } request)
        {
            return;
        }

        string kind = action == "swap" ? "swap" : "pin";
        lock (_gate)
        {
            _entries.RemoveAll(e => e.Kind == kind && string.Equals(e.Model, model, StringComparison.OrdinalIgnoreCase));
            _entries.Add(new Entry(kind, model, path, body, action == "swap" ? $"swap {model} to {request.Replacement}" : $"{action} {model}"));
        }
    }

    /// <summary>The changes to give a new worker, in order.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>One pool change.</summary>
    /// <param name="Kind"><c>swap</c>, or <c>pin</c> for a pin or an unpin.</param>
    /// <param name="Model">The model name it was made for.</param>
    /// <param name="Path">The worker's path to send it to again.</param>
    /// <param name="Body">The JSON body to send.</param>
    /// <param name="Description">For logs, such as <c>pin stories</c>.</param>
    internal sealed record Entry(string Kind, string Model, string Path, string Body, string Description);
}
