using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;

namespace OffGrid.Inference.Engine.State;

/// <summary>
/// Saved KV states of one model's sequences, one file each, keyed by the tokens they hold (see <see cref="PromptCacheOptions"/>).
/// </summary>
/// <remarks>
/// A state is tied to the model file and to the KV cache layout it was saved from: llama.cpp loads it only into a cache of the
/// same key and value types, and with the value cache stored the same way (transposed unless flash attention is on). Each such
/// configuration has a folder of its own, so that states saved with one never shadow (and block) those of another.
/// </remarks>
/// <remarks>
/// A file holds a header (magic, version, the model's fingerprint, the tokens), llama.cpp's sequence state
/// (<c>llama_state_seq_get_data</c>) and a SHA-256 of everything before it, so a torn, corrupt or foreign file is found
/// before llama.cpp reads it, and is ignored with a warning. States are read and copied on the engine's worker thread;
/// files are written in the background, one at a time. Thread-safe.
/// </remarks>
internal sealed class PromptStateStore : IDisposable
{
    private const string Extension = ".kvstate";
    private const int Magic = 0x564B474F; // "OGKV"
    private const int FormatVersion = 1;
    private const int HashLength = 32;

    private readonly string _folder;
    private readonly string _fingerprint;
    private readonly long _maxBytes;
    private readonly int _minTokens;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private Task _writes = Task.CompletedTask;

    private PromptStateStore(string folder, string fingerprint, PromptCacheOptions options, ILogger logger)
    {
        _folder = folder;
        _fingerprint = fingerprint;
        _maxBytes = options.MaxBytes;
        _minTokens = options.MinTokens;
        _logger = logger;
    }

    /// <summary>
    /// Opens the store of <paramref name="model"/> run with <paramref name="engine"/>'s KV cache, or returns
    /// <see langword="null"/> when its cache is off or its folder cannot be used (with a warning).
    /// </summary>
    public static PromptStateStore? Open(LlamaModel model, LlamaEngineOptions engine, ILogger logger)
    {
        PromptCacheOptions options = engine.PromptCache;
        if (!options.Enabled)
        {
            return null;
        }

        var file = new FileInfo(model.Path);
        string k = LlamaEngineOptions.CacheTypeName(engine.CacheTypeK ?? GgmlType.F16);
        string v = LlamaEngineOptions.CacheTypeName(engine.CacheTypeV ?? GgmlType.F16);
        string flash = engine.FlashAttention switch { true => "on", false => "off", null => "auto" };
        string fingerprint = $"{model.Path}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{model.Description}|{model.ParameterCount}|k={k}|v={v}|fa={flash}";
        string folder = Path.Combine(options.ResolvedDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)))[..16]);
        var store = new PromptStateStore(folder, fingerprint, options, logger);
        try
        {
            store.Load();
            return store;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Hosts refuse an unusable folder at start (PromptCacheOptions.FindDirectoryProblem); one that breaks later
            // costs the cache, not the answers.
            logger.LogWarning("The prompt cache is off for {Model}: its folder '{Folder}' cannot be used ({Reason}).", model.Id, folder, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// When a saved state shares more of <paramref name="prompt"/> than the <paramref name="reuse"/> tokens the slot already
    /// holds, replaces the slot's KV state and <paramref name="slotTokens"/> with it.
    /// </summary>
    /// <returns>The prompt tokens the slot now holds.</returns>
    public int TryRestore(SafeLlamaContextHandle context, IntPtr memory, int sequenceId, List<int> slotTokens, int[] prompt, int reuse)
    {
        Entry? best = null;
        int shared = Math.Max(reuse, _minTokens - 1);
        lock (_gate)
        {
            foreach (Entry entry in _entries)
            {
                int common = entry.Tokens.AsSpan().CommonPrefixLength(prompt);
                if (common > shared)
                {
                    (best, shared) = (entry, common);
                }
            }
        }

        if (best is null || ReadPayload(best) is not { } payload)
        {
            return reuse;
        }

        LlamaNative.llama_memory_seq_rm(memory, sequenceId, -1, -1);
        slotTokens.Clear();
        if (SetState(context, payload, sequenceId) == 0)
        {
            // llama.cpp refused the state (another KV layout, for example), leaving the sequence empty.
            LlamaNative.llama_memory_seq_rm(memory, sequenceId, -1, -1);
            Discard(best, "llama.cpp could not load it");
            return 0;
        }

        slotTokens.AddRange(best.Tokens);
        Touch(best);
        return shared;
    }

    /// <summary>Saves the state of a sequence that holds <paramref name="tokens"/>, unless a saved state already covers them.</summary>
    public void Save(SafeLlamaContextHandle context, int sequenceId, List<int> tokens)
    {
        if (tokens.Count < _minTokens)
        {
            return;
        }

        ReadOnlySpan<int> span = CollectionsMarshal.AsSpan(tokens);
        lock (_gate)
        {
            foreach (Entry entry in _entries)
            {
                if (entry.Tokens.AsSpan().StartsWith(span))
                {
                    Touch(entry);
                    return;
                }
            }
        }

        byte[]? payload = GetState(context, sequenceId);
        if (payload is null || payload.LongLength > _maxBytes)
        {
            return;
        }

        int[] snapshot = [.. tokens];
        lock (_gate)
        {
            _writes = _writes.ContinueWith(_ => Write(snapshot, payload), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>Waits for files still being written.</summary>
    public void Dispose()
    {
        Task writes;
        lock (_gate)
        {
            writes = _writes;
        }

        writes.Wait();
    }

    private static unsafe byte[]? GetState(SafeLlamaContextHandle context, int sequenceId)
    {
        int size = checked((int)LlamaNative.llama_state_seq_get_size(context, sequenceId));
        if (size == 0)
        {
            return null;
        }

        byte[] payload = new byte[size];
        fixed (byte* destination = payload)
        {
            return LlamaNative.llama_state_seq_get_data(context, destination, (nuint)size, sequenceId) == (nuint)size ? payload : null;
        }
    }

    private static unsafe nuint SetState(SafeLlamaContextHandle context, ArraySegment<byte> payload, int sequenceId)
    {
        fixed (byte* source = payload.AsSpan())
        {
            return LlamaNative.llama_state_seq_set_data(context, source, (nuint)payload.Count, sequenceId);
        }
    }

    private void Load()
    {
        Directory.CreateDirectory(_folder);
        foreach (string path in Directory.EnumerateFiles(_folder, "*" + Extension))
        {
            try
            {
                using var reader = new BinaryReader(File.OpenRead(path));
                (string fingerprint, int[] tokens) = ReadHeader(reader);
                if (fingerprint != _fingerprint)
                {
                    _logger.LogWarning("Ignoring the saved prompt state '{Path}': it belongs to another model ({Fingerprint}).", path, fingerprint);
                    continue;
                }

                var info = new FileInfo(path);
                _entries.Add(new Entry(path, tokens, info.Length) { LastUsed = info.LastWriteTimeUtc });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _logger.LogWarning("Ignoring the saved prompt state '{Path}': {Reason}", path, ex.Message);
            }
        }
    }

    private static (string Fingerprint, int[] Tokens) ReadHeader(BinaryReader reader)
    {
        try
        {
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion)
            {
                throw new InvalidDataException("it is not a prompt state file of this version.");
            }

            string fingerprint = reader.ReadString();
            int count = reader.ReadInt32();
            if (count <= 0 || count > (reader.BaseStream.Length - reader.BaseStream.Position) / sizeof(int))
            {
                throw new InvalidDataException($"its token count {count} is impossible.");
            }

            int[] tokens = new int[count];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan()));
            return (fingerprint, tokens);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("it is cut short.");
        }
        catch (FormatException)
        {
            // BinaryReader.ReadString's length prefix is damaged ("Too many bytes in what should have been a 7-bit encoded integer").
            throw new InvalidDataException("its header is damaged.");
        }
    }

    // Reads and checks the whole file; on any fault the entry is dropped with a warning and null returned.
    private ArraySegment<byte>? ReadPayload(Entry entry)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(entry.Path);
            if (bytes.Length <= HashLength || !SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashLength)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            {
                throw new InvalidDataException("its checksum does not match (the file is damaged).");
            }

            using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - HashLength));
            (string fingerprint, int[] tokens) = ReadHeader(reader);
            if (fingerprint != _fingerprint || !tokens.AsSpan().SequenceEqual(entry.Tokens))
            {
                throw new InvalidDataException("it changed since it was indexed.");
            }

            long length = reader.ReadInt64();
            long start = reader.BaseStream.Position;
            if (length <= 0 || start + length != bytes.Length - HashLength)
            {
                throw new InvalidDataException("its state length is wrong.");
            }

            return new ArraySegment<byte>(bytes, (int)start, (int)length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Discard(entry, ex.Message);
            return null;
        }
    }

    private void Write(int[] tokens, byte[] payload)
    {
        string name = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(tokens.AsSpan())))[..32] + Extension;
        string path = Path.Combine(_folder, name);
        string temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(_folder);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(FormatVersion);
                    writer.Write(_fingerprint);
                    writer.Write(tokens.Length);
                    writer.Write(MemoryMarshal.AsBytes(tokens.AsSpan()));
                    writer.Write(payload.LongLength);
                    writer.Write(payload);
                }

                stream.Position = 0;
                byte[] hash = SHA256.HashData(stream);
                stream.Write(hash);
            }

            File.Move(temporary, path, overwrite: true);
            var entry = new Entry(path, tokens, new FileInfo(path).Length) { LastUsed = DateTime.UtcNow };
            List<Entry> removed;
            lock (_gate)
            {
                // A longer state restores everything a state of its prefix would.
                removed = _entries.FindAll(e => tokens.AsSpan().StartsWith(e.Tokens) || e.Path == path);
                _entries.RemoveAll(removed.Contains);
                _entries.Add(entry);
                long total = _entries.Sum(e => e.Bytes);
                foreach (Entry old in _entries.OrderBy(e => e.LastUsed).ToList())
                {
                    if (total <= _maxBytes || old == entry)
                    {
                        continue;
                    }

                    _entries.Remove(old);
                    removed.Add(old);
                    total -= old.Bytes;
                }
            }

            foreach (Entry old in removed.Where(e => e.Path != path))
            {
                File.Delete(old.Path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("The prompt state could not be saved to '{Path}': {Reason}", path, ex.Message);
            File.Delete(temporary);
        }
    }

    private void Touch(Entry entry)
    {
        lock (_gate)
        {
            entry.LastUsed = DateTime.UtcNow;
        }

        try
        {
            File.SetLastWriteTimeUtc(entry.Path, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The order only matters for eviction; the state itself is intact.
            _logger.LogDebug(ex, "Could not mark '{Path}' as used.", entry.Path);
        }
    }

    private void Discard(Entry entry, string reason)
    {
        _logger.LogWarning("Ignoring the saved prompt state '{Path}': {Reason}", entry.Path, reason);
        lock (_gate)
        {
            _entries.Remove(entry);
        }
    }

    private sealed class Entry(string path, int[] tokens, long bytes)
    {
        public string Path { get; } = path;

        public int[] Tokens { get; } = tokens;

        public long Bytes { get; } = bytes;

        public DateTime LastUsed { get; set; }
    }
}
