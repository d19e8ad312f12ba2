namespace OffGrid.Hub.Gguf;

/// <summary>
/// The header of a GGUF model file: every metadata entry, every tensor description and where the tensor data
/// starts, plus accessors for the values callers usually need (architecture, sizes, tokenizer, chat template).
/// </summary>
/// <remarks>
/// Only the header is read; tensor data stays on disk. Instances are immutable and thread-safe.
/// </remarks>
public sealed class GgufFile
{
    internal GgufFile(int version, IDictionary<string, GgufValue> metadata, IList<GgufTensorInfo> tensors, int alignment, long dataOffset, long? fileLength, IReadOnlyList<string>? partPaths = null)
    {
        Version = version;
        Metadata = metadata.AsReadOnly();
        Tensors = tensors.AsReadOnly();
        Alignment = alignment;
        DataOffset = dataOffset;
        FileLength = fileLength;
        PartPaths = partPaths ?? [];
    }

    /// <summary>Gets the GGUF format version (2 or 3).</summary>
    public int Version { get; }

    /// <summary>Gets every metadata entry by key.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Gets the tensor descriptions in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Gets the data alignment (<c>general.alignment</c>, 32 when absent).</summary>
    public int Alignment { get; }

    /// <summary>Gets the absolute byte offset at which tensor data starts.</summary>
    public long DataOffset { get; }

    /// <summary>
    /// Gets the length of the file in bytes (for a split model, of all its parts together), or <see langword="null"/>
    /// when it was read from a non-seekable stream.
    /// </summary>
    public long? FileLength { get; }

    /// <summary>
    /// Gets the files the model is in, first part first: one path, or every part of a split model (gguf-split's
    /// <c>&lt;prefix&gt;-00001-of-00003.gguf</c> layout). Empty when the header was read from a stream.
    /// </summary>
    public IReadOnlyList<string> PartPaths { get; }

    /// <summary>Gets <c>general.architecture</c>, for example <c>llama</c>.</summary>
    public string? Architecture => GetString("general.architecture");

    /// <summary>Gets <c>general.name</c>.</summary>
    public string? Name => GetString("general.name");

    /// <summary>Gets the number of weights: the sum of the element counts of all tensors (of every part of a split model).</summary>
    public long ParameterCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Gets the sum of the tensor data sizes in bytes (tensors of unknown type count as zero).</summary>
    public long TensorDataBytes => Tensors.Sum(t => t.ByteCount ?? 0);

    /// <summary>Gets the training context length (<c>&lt;arch&gt;.context_length</c>).</summary>
    public long? ContextLength => GetArchitectureInt64("context_length");

    /// <summary>Gets the embedding width (<c>&lt;arch&gt;.embedding_length</c>).</summary>
    public long? EmbeddingLength => GetArchitectureInt64("embedding_length");

    /// <summary>Gets the number of transformer blocks (<c>&lt;arch&gt;.block_count</c>).</summary>
    public long? BlockCount => GetArchitectureInt64("block_count");

    /// <summary>Gets the attention head count (<c>&lt;arch&gt;.attention.head_count</c>; the largest value when given per layer).</summary>
    public long? HeadCount => GetArchitectureMax("attention.head_count");

    /// <summary>Gets the key/value head count (<c>&lt;arch&gt;.attention.head_count_kv</c>; the largest value when given per layer), or <see cref="HeadCount"/> when absent.</summary>
    public long? HeadCountKv => GetArchitectureMax("attention.head_count_kv") ?? HeadCount;

    /// <summary>
    /// Gets the length of one attention head's key in elements (llama.cpp's <c>n_embd_head_k</c>):
    /// <c>&lt;arch&gt;.attention.key_length</c>, else <see cref="EmbeddingLength"/> / <see cref="HeadCount"/>.
    /// </summary>
    public long? KeyLength => GetArchitectureInt64("attention.key_length") ?? HeadLength();

    /// <summary>
    /// Gets the length of one attention head's value in elements (llama.cpp's <c>n_embd_head_v</c>):
    /// <c>&lt;arch&gt;.attention.value_length</c>, else <see cref="EmbeddingLength"/> / <see cref="HeadCount"/>.
    /// </summary>
    public long? ValueLength => GetArchitectureInt64("attention.value_length") ?? HeadLength();

    /// <summary>Gets <c>general.file_type</c> (llama.cpp's <c>llama_ftype</c>).</summary>
    public long? FileType => GetInt64("general.file_type");

    /// <summary>
    /// Gets a quantization label such as <c>Q4_K_M</c>, <c>Q8_0</c> or <c>F16</c>: from <c>general.file_type</c> when
    /// present, otherwise the storage type holding the most weights among the matrices.
    /// </summary>
    public string? QuantizationLabel => (FileType is { } ft ? LlamaFileType.GetLabel(ft) : null) ?? DominantTensorType()?.ToString();

    /// <summary>Gets the Jinja chat template (<c>tokenizer.chat_template</c>).</summary>
    public string? ChatTemplate => GetString("tokenizer.chat_template");

    /// <summary>Gets the tokenizer model (<c>tokenizer.ggml.model</c>), for example <c>llama</c> or <c>gpt2</c>.</summary>
    public string? TokenizerModel => GetString("tokenizer.ggml.model");

    /// <summary>Gets the beginning-of-sequence token id.</summary>
    public long? BosTokenId => GetInt64("tokenizer.ggml.bos_token_id");

    /// <summary>Gets the end-of-sequence token id.</summary>
    public long? EosTokenId => GetInt64("tokenizer.ggml.eos_token_id");

    /// <summary>Gets the vocabulary size: <c>&lt;arch&gt;.vocab_size</c>, else the length of <c>tokenizer.ggml.tokens</c>.</summary>
    public long? VocabSize => GetArchitectureInt64("vocab_size")
        ?? (Metadata.TryGetValue("tokenizer.ggml.tokens", out GgufValue? tokens) && tokens.Type == GgufValueType.Array ? tokens.Count : null);

    /// <summary>Tells whether a file starts with the GGUF magic, without reading further: a cheap check before trusting a path.</summary>
    /// <param name="path">The file.</param>
    /// <returns><see langword="true"/> when the file exists, is readable and starts with <c>GGUF</c>.</returns>
    public static bool HasGgufSignature(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using FileStream stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the header of a GGUF model file. For a split model (gguf-split's <c>split.*</c> keys), any part may be
    /// given: every part is read, and the result describes the whole model (metadata of the first part, the tensors
    /// of all parts, their total length, <see cref="PartPaths"/>), as llama.cpp loads it.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed header.</returns>
    /// <exception cref="GgufFormatException">
    /// The file (or a part of it) is not GGUF, has an unsupported version, is truncated or corrupt, or a part is missing;
    /// the message starts with the path of the file at fault.
    /// </exception>
    public static async Task<GgufFile> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        GgufFile given = await ReadPartAsync(path, cancellationToken).ConfigureAwait(false);
        int count = (int)Math.Clamp(given.GetInt64("split.count") ?? 1, 1, ushort.MaxValue);
        if (count == 1)
        {
            return given;
        }

        int index = (int)(given.GetInt64("split.no") ?? 0);
        string suffix = SplitSuffix(index, count);
        if (index >= count || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
            throw new GgufFormatException($"{path}: the file is part {index + 1} of {count} of a split model, but its name does not end in '{suffix}', so the other parts cannot be found.");
        }

        string prefix = path[..^suffix.Length];
        var parts = new List<GgufFile>(count);
        for (int i = 0; i < count; i++)
        {
            string partPath = prefix + SplitSuffix(i, count);
            if (i != index && !File.Exists(partPath))
            {
                throw new GgufFormatException($"{partPath}: part {i + 1} of {count} of the split model is missing.");
            }

            GgufFile part = i == index ? given : await ReadPartAsync(partPath, cancellationToken).ConfigureAwait(false);
            if (part.GetInt64("split.no") != i)
            {
                throw new GgufFormatException($"{partPath}: the file says it is part {part.GetInt64("split.no") + 1} of a split model, not part {i + 1}.");
            }

            parts.Add(part);
        }

        return Merge(parts, [.. Enumerable.Range(0, count).Select(i => prefix + SplitSuffix(i, count))]);
    }

    /// <summary>Reads a GGUF header from a stream positioned at the start of the GGUF data.</summary>
    /// <param name="stream">The stream; when it is not seekable, the header may be at most 1 GiB.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed header. The stream is left somewhere after the header.</returns>
    /// <exception cref="GgufFormatException">The data is not GGUF, has an unsupported version, or is truncated or corrupt.</exception>
    public static Task<GgufFile> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return GgufHeaderReader.ReadAsync(stream, cancellationToken);
    }

    /// <summary>Gets a metadata string, or <see langword="null"/> when absent or not a string.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The string or <see langword="null"/>.</returns>
    public string? GetString(string key) =>
        Metadata.TryGetValue(key, out GgufValue? v) && v.Value is string s ? s : null;

    /// <summary>Gets a metadata integer of any width, or <see langword="null"/> when absent or not an integer.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The integer or <see langword="null"/>.</returns>
    public long? GetInt64(string key) =>
        Metadata.TryGetValue(key, out GgufValue? v) && v.Value is byte or sbyte or ushort or short or uint or int or long or ulong ? v.AsInt64() : null;

    /// <summary>Gets <c>&lt;arch&gt;.&lt;suffix&gt;</c> as an integer, or <see langword="null"/>.</summary>
    /// <param name="suffix">The key after the architecture prefix, for example <c>attention.key_length</c>.</param>
    /// <returns>The integer or <see langword="null"/>.</returns>
    public long? GetArchitectureInt64(string suffix) => Architecture is { } arch ? GetInt64(arch + "." + suffix) : null;

    /// <summary>
    /// Gets a per-layer architecture value (<c>&lt;arch&gt;.&lt;suffix&gt;</c>), which some models store as one integer
    /// and others as an array with one entry per layer.
    /// </summary>
    /// <param name="suffix">The key after the architecture prefix, for example <c>attention.head_count_kv</c>.</param>
    /// <param name="layer">The zero-based layer index.</param>
    /// <returns>The value for that layer, or <see langword="null"/> when absent.</returns>
    public long? GetPerLayerInt64(string suffix, int layer)
    {
        if (Architecture is not { } arch || !Metadata.TryGetValue(arch + "." + suffix, out GgufValue? v))
        {
            return null;
        }

        if (v.Type != GgufValueType.Array)
        {
            return GetInt64(arch + "." + suffix);
        }

        IReadOnlyList<long> values = v.AsInt64Array();
        return layer < values.Count ? values[layer] : null;
    }

    private long? GetArchitectureMax(string suffix)
    {
        if (Architecture is not { } arch || !Metadata.TryGetValue(arch + "." + suffix, out GgufValue? v))
        {
            return null;
        }

        return v.Type == GgufValueType.Array ? v.AsInt64Array().DefaultIfEmpty().Max() : GetInt64(arch + "." + suffix);
    }

    private static async Task<GgufFile> ReadPartAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                GgufFile file = await GgufHeaderReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
                return new GgufFile(file.Version, new Dictionary<string, GgufValue>(file.Metadata), [.. file.Tensors], file.Alignment, file.DataOffset, file.FileLength, [path]);
            }
            catch (GgufFormatException ex)
            {
                throw new GgufFormatException($"{path}: {ex.Message}", ex);
            }
        }
    }

    // llama.cpp's llama_split_path: <prefix>-%05d-of-%05d.gguf, numbered from 1.
    private static string SplitSuffix(int index, int count) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-{index + 1:D5}-of-{count:D5}.gguf");

    private static GgufFile Merge(List<GgufFile> parts, IReadOnlyList<string> paths)
    {
        GgufFile first = parts[0];
        var tensors = new List<GgufTensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < parts.Count; i++)
        {
            foreach (GgufTensorInfo tensor in parts[i].Tensors)
            {
                if (!names.Add(tensor.Name))
                {
                    throw new GgufFormatException($"{paths[i]}: tensor '{tensor.Name}' is also in an earlier part of the split model.");
                }

                tensors.Add(tensor.InPart(i));
            }
        }

        if (first.GetInt64("split.tensors.count") is { } expected && expected != tensors.Count)
        {
            throw new GgufFormatException($"{paths[0]}: the split model should have {expected} tensors, but its {parts.Count} parts hold {tensors.Count}.");
        }

        long? length = parts.All(p => p.FileLength is not null) ? parts.Sum(p => p.FileLength!.Value) : null;
        return new GgufFile(first.Version, new Dictionary<string, GgufValue>(first.Metadata), tensors, first.Alignment, first.DataOffset, length, paths);
    }

    private long? HeadLength() => EmbeddingLength is { } embd && HeadCount is { } heads and > 0 ? embd / heads : null;

    private GgmlType? DominantTensorType() =>
        Tensors.Where(t => t.Dimensions.Count >= 2)
            .GroupBy(t => t.Type)
            .Select(g => (Type: g.Key, Elements: g.Sum(t => t.ElementCount)))
            .OrderByDescending(x => x.Elements)
            .Select(x => (GgmlType?)x.Type)
            .FirstOrDefault();
}
