using System.Globalization;
using System.Text;

namespace OffGrid.Inference.Bench;

/// <summary>Renders the rows as a Markdown table.</summary>
internal static class ResultTable
{
    public static string Render(IEnumerable<BenchRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| Model | Path | Streams | Prompt tok/s mean (min–max) | Generation tok/s mean (min–max) | ms/step | CPU µs/token | vs plain | Target | Load 1m |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (BenchRow row in rows)
        {
            string ratio = row.Ratio is { } r ? r.ToString("0.000", CultureInfo.InvariantCulture) : string.Empty;
            string target = row.Target is { } t ? string.Create(CultureInfo.InvariantCulture, $"≥ {t:0.00}: {row.Verdict}") : string.Empty;
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {row.Model} | {row.Path} | {row.Streams} | {row.Prompt} | {row.Generation} | {row.StepMilliseconds:0.000} | {row.CpuMicrosecondsPerToken:0} | {ratio} | {target} | {row.Load:0.00} |"));
        }

        return text.ToString();
    }
}
