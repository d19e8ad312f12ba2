using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OffGrid.Rag;

/// <summary>The <c>OffGrid.Rag</c> activity source and meter.</summary>
internal static class RagTelemetry
{
    public const string Name = "OffGrid.Rag";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter s_meter = new(Name);

    public static readonly Counter<long> ChunksStored = s_meter.CreateCounter<long>("offgrid.rag.chunks_stored", "{chunk}", "Chunks written to knowledge bases.");

    public static readonly Counter<long> DocumentsFailed = s_meter.CreateCounter<long>("offgrid.rag.documents_failed", "{document}", "Documents whose ingestion failed.");

    public static readonly Histogram<double> SearchDuration = s_meter.CreateHistogram<double>("offgrid.rag.search.duration", "s", "Duration of hybrid searches.");
}
