using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Pooling;

namespace OffGrid.Server.Operations;

/// <summary>Counts requests and tokens and renders them, with the engines' live figures, as Prometheus text.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerMetrics
{
    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private long _promptTokens;
    private long _completionTokens;
    private long _generationNanoseconds;
    private double _lastTokensPerSecond;

    /// <summary>Counts one finished HTTP request.</summary>
    public void CountRequest(string endpoint, int status) => _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);

    /// <summary>Adds the tokens and generation time of one finished generation.</summary>
    public void RecordUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        Interlocked.Add(ref _promptTokens, usage.InputTokenCount ?? 0);
        Interlocked.Add(ref _completionTokens, usage.OutputTokenCount ?? 0);
        if (usage.AdditionalCounts?.TryGetValue(LlamaChatOptions.EvalDurationKey, out long nanoseconds) == true && nanoseconds > 0)
        {
            Interlocked.Add(ref _generationNanoseconds, nanoseconds);
            Volatile.Write(ref _lastTokensPerSecond, (usage.OutputTokenCount ?? 0) / (nanoseconds / 1e9));
        }
    }

    /// <summary>Renders every metric in the Prometheus text exposition format.</summary>
    public string Render(IReadOnlyList<LoadedModelInfo> loaded)
    {
        var text = new StringBuilder();
        Header(text, "offgrid_requests_total", "counter", "HTTP API requests by endpoint and status.");
        foreach (((string endpoint, int status), long count) in _requests.OrderBy(r => r.Key.Endpoint, StringComparer.Ordinal).ThenBy(r => r.Key.Status))
        {
            text.Append(CultureInfo.InvariantCulture, $"offgrid_requests_total{{endpoint=\"{Escape(endpoint)}\",status=\"{status}\"}} {count}\n");
        }

        Metric(text, "offgrid_prompt_tokens_total", "counter", "Prompt tokens evaluated.", Interlocked.Read(ref _promptTokens));
        Metric(text, "offgrid_completion_tokens_total", "counter", "Tokens generated.", Interlocked.Read(ref _completionTokens));
        Metric(text, "offgrid_generation_seconds_total", "counter", "Time spent generating, summed over requests.", Interlocked.Read(ref _generationNanoseconds) / 1e9);
        Metric(text, "offgrid_last_generation_tokens_per_second", "gauge", "Generation speed of the last finished request.", Volatile.Read(ref _lastTokensPerSecond));
        Metric(text, "offgrid_loaded_models", "gauge", "Models loaded now.", loaded.Count);

        Header(text, "offgrid_queue_depth", "gauge", "Requests waiting for a free sequence, by model.");
        PerModel(text, "offgrid_queue_depth", loaded, e => e.PendingRequests);
        Header(text, "offgrid_active_sequences", "gauge", "Requests being decoded now, by model.");
        PerModel(text, "offgrid_active_sequences", loaded, e => e.ActiveSequences);
        return text.ToString();
    }

    private static void PerModel(StringBuilder text, string name, IReadOnlyList<LoadedModelInfo> loaded, Func<LoadedModelInfo, int> value)
    {
        foreach (LoadedModelInfo info in loaded)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{model=\"{Escape(info.ModelId)}\"}} {value(info)}\n");
        }
    }

    private static void Metric(StringBuilder text, string name, string type, string help, double value)
    {
        Header(text, name, type, help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
