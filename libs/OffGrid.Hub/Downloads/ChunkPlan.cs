using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffGrid.Hub.Downloads;

/// <summary>
/// The split of one file into byte ranges fetched over parallel connections, with how much of each range is on
/// disk; saved beside the partial file so that an interrupted parallel download resumes every range.
/// </summary>
/// <remarks>
/// <see cref="Chunk.Done"/> is updated by the chunk's own connection and read by the saver; it only grows and is
/// written after the data, so a saved plan never claims bytes that are not on disk.
/// </remarks>
internal sealed class ChunkPlan
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public required long Total { get; init; }

    public required List<Chunk> Chunks { get; init; }

    /// <summary>The ETag or Last-Modified of the remote file when the plan was made, sent as <c>If-Range</c> on resume.</summary>
    public string? Validator { get; init; }

    public static ChunkPlan Create(long total, int connections, long minChunkSize, string? validator)
    {
        int count = (int)Math.Clamp(total / minChunkSize, 1, connections);
        long size = total / count;
        var chunks = new List<Chunk>(count);
        for (int i = 0; i < count; i++)
        {
            long start = i * size;
            chunks.Add(new Chunk { Start = start, Length = i == count - 1 ? total - start : size });
        }

        return new ChunkPlan { Total = total, Chunks = chunks, Validator = validator };
    }

    public static ChunkPlan? TryLoad(string path)
    {
        try
        {
            ChunkPlan? plan = File.Exists(path) ? JsonSerializer.Deserialize<ChunkPlan>(File.ReadAllText(path), s_json) : null;
            return plan is not null && plan.Chunks.Count > 0 && plan.Chunks.Sum(c => c.Length) == plan.Total ? plan : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string path)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, s_json));
        File.Move(temp, path, overwrite: true);
    }

    internal sealed class Chunk
    {
        private long _done;

        public long Start { get; init; }

        public long Length { get; init; }

        public long Done
        {
            get => Interlocked.Read(ref _done);
            set => Interlocked.Exchange(ref _done, value);
        }

        [JsonIgnore]
        public long Remaining => Length - Done;
    }
}
