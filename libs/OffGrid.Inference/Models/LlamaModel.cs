using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Native;
using OffGrid.Inference.Runtime;

namespace OffGrid.Inference.Models;

/// <summary>
/// GGUF weights loaded by llama.cpp, with the model's tokenizer. One instance can serve many engines and
/// embedding generators.
/// </summary>
/// <remarks>Tokenization is thread-safe. Dispose the model after everything created from it.</remarks>
public sealed class LlamaModel : IDisposable
{
    private readonly SafeLlamaModelHandle _handle;
    private readonly IntPtr _vocab;

    private LlamaModel(string path, GgufFile file, SafeLlamaModelHandle handle)
    {
        Path = path;
        File = file;
        _handle = handle;
        _vocab = LlamaNative.llama_model_get_vocab(handle);
        TrainedContextLength = LlamaNative.llama_model_n_ctx_train(handle);
        EmbeddingLength = LlamaNative.llama_model_n_embd(handle);
        ParameterCount = (long)LlamaNative.llama_model_n_params(handle);
        SizeBytes = (long)LlamaNative.llama_model_size(handle);
        VocabularySize = LlamaNative.llama_vocab_n_tokens(_vocab);
        BosToken = LlamaNative.llama_vocab_bos(_vocab);
        EosToken = LlamaNative.llama_vocab_eos(_vocab);
        AddsBosToken = LlamaNative.llama_vocab_get_add_bos(_vocab);
        IsEncoderOnly = LlamaNative.llama_model_has_encoder(handle) && !LlamaNative.llama_model_has_decoder(handle);
        Description = ReadDescription(handle);
        ChatTemplate = ReadChatTemplate(handle);
        Id = System.IO.Path.GetFileNameWithoutExtension(path);
    }

    /// <summary>The GGUF file the weights came from.</summary>
    public string Path { get; }

    /// <summary>A short identifier: the file name without extension unless set by the caller.</summary>
    public string Id { get; init; }

    /// <summary>The GGUF header: metadata and tensor infos.</summary>
    public GgufFile File { get; }

    /// <summary>llama.cpp's description, for example <c>llama 7B Q4_K - Medium</c>.</summary>
    public string Description { get; }

    /// <summary>The context length the model was trained with.</summary>
    public int TrainedContextLength { get; }

    /// <summary>The embedding (hidden) size.</summary>
    public int EmbeddingLength { get; }

    /// <summary>The number of parameters.</summary>
    public long ParameterCount { get; }

    /// <summary>The size of the weights in bytes.</summary>
    public long SizeBytes { get; }

    /// <summary>The number of tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>The beginning-of-sequence token id (-1 when none).</summary>
    public int BosToken { get; }

    /// <summary>The end-of-sequence token id (-1 when none).</summary>
    public int EosToken { get; }

    /// <summary>Whether the tokenizer adds a BOS token at the start of a prompt.</summary>
    public bool AddsBosToken { get; }

    /// <summary>Whether the model is an encoder only (BERT-like embedding models).</summary>
    public bool IsEncoderOnly { get; }

    /// <summary>The Jinja chat template stored in the file, if any.</summary>
    public string? ChatTemplate { get; }

    internal SafeLlamaModelHandle Handle => _handle;

    internal IntPtr Vocabulary => _vocab;

    /// <summary>Loads a GGUF model.</summary>
    /// <param name="path">The .gguf file (for a split model, any of its parts).</param>
    /// <param name="options">Load options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives load progress from 0 to 1.</param>
    /// <param name="cancellationToken">Aborts loading.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelLoadException">The file is not a valid GGUF, or llama.cpp cannot load it (for example an unknown architecture).</exception>
    /// <exception cref="InsufficientMemoryException">The model and its context would not fit in available memory.</exception>
    public static async Task<LlamaModel> LoadAsync(string path, LlamaModelOptions? options = null, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new LlamaModelOptions();
        path = System.IO.Path.GetFullPath(path);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        GgufFile file;
        try
        {
            file = await GgufFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (GgufFormatException ex)
        {
            // The message starts with the path of the file at fault (for a split model, maybe another part).
            throw new ModelLoadException($"The model is not a valid GGUF file: {ex.Message}", ex);
        }

        // llama.cpp loads a split model from its first part, and finds the others from there.
        path = file.PartPaths[0];

        LlamaRuntime runtime = LlamaRuntime.Current ?? await LlamaRuntime.LoadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!options.SkipMemoryCheck && !options.VocabularyOnly)
        {
            EnsureFits(path, file, options, runtime);
        }

        return await Task.Run(() => Load(path, file, options, runtime, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Converts text to tokens.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Whether to add the BOS token (and EOS where the model wants it).</param>
    /// <param name="parseSpecial">Whether special-token text such as <c>&lt;|im_start|&gt;</c> becomes the special token.</param>
    public unsafe int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        int capacity = utf8.Length + 8;
        while (true)
        {
            int[] tokens = new int[capacity];
            int count;
            fixed (byte* textPointer = utf8)
            fixed (int* tokenPointer = tokens)
            {
                count = LlamaNative.llama_tokenize(_vocab, textPointer, utf8.Length, tokenPointer, capacity, addSpecial, parseSpecial);
            }

            if (count >= 0)
            {
                return count == capacity ? tokens : tokens[..count];
            }

            if (count == int.MinValue)
            {
                throw new ArgumentException("The text is too long to tokenize.", nameof(text));
            }

            capacity = -count;
        }
    }

    /// <summary>Converts tokens back to text.</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool renderSpecial = false)
    {
        var bytes = new List<byte>(tokens.Length * 4);
        Span<byte> piece = stackalloc byte[256];
        foreach (int token in tokens)
        {
            int length = TokenToPiece(token, piece, renderSpecial);
            bytes.AddRange(piece[..length]);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Whether the token ends generation (EOS, EOT and model-specific end tokens).</summary>
    public bool IsEndOfGeneration(int token) => LlamaNative.llama_vocab_is_eog(_vocab, token);

    /// <summary>Releases the weights.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Writes the UTF-8 bytes of one token into <paramref name="destination"/> and returns their count.</summary>
    internal unsafe int TokenToPiece(int token, Span<byte> destination, bool renderSpecial)
    {
        fixed (byte* buffer = destination)
        {
            int length = LlamaNative.llama_token_to_piece(_vocab, token, buffer, destination.Length, 0, renderSpecial);
            if (length < 0)
            {
                throw new InvalidOperationException($"Token {token} needs {-length} bytes, more than the {destination.Length}-byte buffer.");
            }

            return length;
        }
    }

    private static void EnsureFits(string path, GgufFile file, LlamaModelOptions options, LlamaRuntime runtime)
    {
        int context = options.PlannedContextSize ?? (int)Math.Min(4096, file.ContextLength ?? 4096);
        ModelMemoryEstimate estimate = ModelMemoryEstimate.Create(file, context, options.PlannedCacheTypeK ?? GgmlType.F16, options.PlannedCacheTypeV ?? GgmlType.F16);
        long available = runtime.Hardware.AvailableMemoryBytes;
        if (!runtime.HasGpu && available > 0 && estimate.TotalBytes > available)
        {
            throw new InsufficientMemoryException(
                $"'{System.IO.Path.GetFileName(path)}' needs about {FormatBytes(estimate.TotalBytes)} ({FormatBytes(estimate.WeightsBytes)} weights + " +
                $"{FormatBytes(estimate.KvCacheBytes)} for a {context}-token context) but only {FormatBytes(available)} is available. " +
                "Choose a smaller quantization or a smaller context.");
        }
    }

    private static string FormatBytes(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : $"{bytes / (double)(1L << 20):0} MiB";

    private static unsafe LlamaModel Load(string path, GgufFile file, LlamaModelOptions options, LlamaRuntime runtime, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        LlamaModelParams parameters = LlamaNative.llama_model_default_params();
        parameters.GpuLayerCount = options.GpuLayers ?? (runtime.HasGpu ? -1 : 0);
        parameters.VocabOnly = options.VocabularyOnly ? (byte)1 : (byte)0;
        parameters.LoadMode = (options.UseMemoryMap, options.LockMemory) switch
        {
            (true, true) => 3,
            (true, false) => 1,
            (false, true) => 2,
            _ => 0,
        };

        var state = new LoadProgressState(progress, cancellationToken);
        GCHandle stateHandle = GCHandle.Alloc(state);
        try
        {
            parameters.ProgressCallback = (IntPtr)(delegate* unmanaged[Cdecl]<float, IntPtr, byte>)&OnProgress;
            parameters.ProgressCallbackUserData = GCHandle.ToIntPtr(stateHandle);
            LlamaLogBridge.ClearLastError();
            SafeLlamaModelHandle handle = LlamaNative.llama_model_load_from_file(path, parameters);
            cancellationToken.ThrowIfCancellationRequested();
            if (handle.IsInvalid)
            {
                handle.Dispose();
                string reason = (LlamaLogBridge.LastError ?? "llama.cpp could not load it").Replace(path, "the file", StringComparison.Ordinal);
                throw new ModelLoadException($"'{path}' could not be loaded ({file.Architecture ?? "unknown"} architecture): {reason}");
            }

            return new LlamaModel(path, file, handle);
        }
        finally
        {
            stateHandle.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte OnProgress(float value, IntPtr userData)
    {
        var state = (LoadProgressState)GCHandle.FromIntPtr(userData).Target!;
        state.Progress?.Report(value);
        return state.CancellationToken.IsCancellationRequested ? (byte)0 : (byte)1;
    }

    private static unsafe string ReadDescription(SafeLlamaModelHandle handle)
    {
        byte* buffer = stackalloc byte[256];
        int length = LlamaNative.llama_model_desc(handle, buffer, 256);
        return length > 0 ? Encoding.UTF8.GetString(buffer, Math.Min(length, 255)) : string.Empty;
    }

    private static unsafe string? ReadChatTemplate(SafeLlamaModelHandle handle) =>
        LlamaNative.ReadUtf8(LlamaNative.llama_model_chat_template(handle, null));

    private sealed record LoadProgressState(IProgress<float>? Progress, CancellationToken CancellationToken);
}
