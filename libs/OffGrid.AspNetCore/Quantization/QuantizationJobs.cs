using System.Collections.Concurrent;
using OffGrid.Inference.Quantization;

namespace OffGrid.AspNetCore.Quantization;

/// <summary>The server's quantization jobs: started by <c>POST /v1/quantize</c>, kept (finished ones too) until the server stops.</summary>
/// <remarks>Thread-safe. Disposing cancels every running job.</remarks>
internal sealed class QuantizationJobs(ModelQuantizer quantizer) : IDisposable
{
    private readonly ConcurrentDictionary<string, QuantizationJob> _jobs = new(StringComparer.Ordinal);

    /// <summary>Checks the request (so that nonsense is refused before any job exists), then starts it.</summary>
    /// <exception cref="Hub.References.ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="QuantizationException">The request is refused.</exception>
    public async Task<QuantizationJob> StartAsync(string model, string type, string? output, CancellationToken cancellationToken)
    {
        (_, QuantizationTarget target, string outputName) = await quantizer.ValidateAsync(model, type, output, cancellationToken).ConfigureAwait(false);
        if (_jobs.Values.Any(j => !j.Completion.IsCompleted && string.Equals(j.Output, outputName, StringComparison.OrdinalIgnoreCase)))
        {
            throw new QuantizationException(QuantizationProblem.OutputExists, $"A running quantization already writes '{outputName}'.");
        }

        var job = new QuantizationJob(model, target.Name, outputName);
        _jobs[job.Id] = job;
        job.Run(j => quantizer.QuantizeAsync(j.Model, j.Type, j.Output, j, j.CancellationToken));
        return job;
    }

    public QuantizationJob? Find(string id) => _jobs.GetValueOrDefault(id);

    public IEnumerable<QuantizationJob> List() => _jobs.Values.OrderBy(j => j.CreatedAt);

    public void Dispose()
    {
        foreach (QuantizationJob job in _jobs.Values.Where(j => !j.Completion.IsCompleted))
        {
            job.Cancel();
        }
    }
}
