using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>
/// P/Invoke declarations for the llama.cpp C API (llama.h) and the few ggml entry points OffGrid needs.
/// </summary>
/// <remarks>
/// The library names are logical: <see cref="NativeLibraryResolver"/> maps them to the versioned files of the
/// installed runtime (for example <c>libllama.v0.4.0.so</c>). Everything here is internal; the rest of the
/// library works through the SafeHandles and wrappers in this folder.
/// </remarks>
internal static unsafe partial class LlamaNative
{
    internal const string LlamaLibrary = "llama";
    internal const string GgmlLibrary = "ggml";
    internal const string GgmlBaseLibrary = "ggml-base";

    // ggml
    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_load_all_from_path", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ggml_backend_load_all_from_path(string directory);

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_dev_count")]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_dev_get")]
    internal static partial IntPtr ggml_backend_dev_get(nuint index);

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_dev_name")]
    internal static partial byte* ggml_backend_dev_name(IntPtr device);

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_dev_description")]
    internal static partial byte* ggml_backend_dev_description(IntPtr device);

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_dev_type")]
    internal static partial int ggml_backend_dev_type(IntPtr device);

    [LibraryImport(GgmlLibrary, EntryPoint = "ggml_backend_reg_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr ggml_backend_reg_by_name(string name);

    [LibraryImport(GgmlBaseLibrary, EntryPoint = "ggml_backend_reg_get_proc_address", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr registry, string name);

    [LibraryImport(GgmlBaseLibrary, EntryPoint = "ggml_threadpool_params_default")]
    internal static partial GgmlThreadPoolParams ggml_threadpool_params_default(int threads);

    [LibraryImport(GgmlBaseLibrary, EntryPoint = "ggml_log_set")]
    internal static partial void ggml_log_set(delegate* unmanaged[Cdecl]<int, byte*, IntPtr, void> callback, IntPtr userData);

    // backend and logging
    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_backend_init();

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, IntPtr, void> callback, IntPtr userData);

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_print_system_info();

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    // defaults
    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    // model
    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeLlamaModelHandle llama_model_load_from_file(string path, LlamaModelParams parameters);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_model_free(IntPtr model);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_model_n_embd(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_model_n_layer(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial ulong llama_model_size(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buffer, nuint size);

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_model_chat_template(SafeLlamaModelHandle model, byte* name);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_encoder(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_model_has_decoder(SafeLlamaModelHandle model);

    // quantization
    [LibraryImport(LlamaLibrary)]
    internal static partial LlamaModelQuantizeParams llama_model_quantize_default_params();

    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint llama_model_quantize(string input, string output, LlamaModelQuantizeParams* parameters);

    // context
    [LibraryImport(LlamaLibrary)]
    internal static partial SafeLlamaContextHandle llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_free(IntPtr context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_ctx(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_ctx_seq(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_batch(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial uint llama_n_seq_max(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_pooling_type(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_get_memory(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_memory_clear(IntPtr memory, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_seq_rm(IntPtr memory, int sequence, int fromPosition, int toPosition);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_memory_seq_pos_max(IntPtr memory, int sequence);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_decode(SafeLlamaContextHandle context, LlamaBatch batch);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_encode(SafeLlamaContextHandle context, LlamaBatch batch);

    // per-sequence state (KV cache rows), for the prompt-state cache
    [LibraryImport(LlamaLibrary)]
    internal static partial nuint llama_state_seq_get_size(SafeLlamaContextHandle context, int sequence);

    [LibraryImport(LlamaLibrary)]
    internal static partial nuint llama_state_seq_get_data(SafeLlamaContextHandle context, byte* destination, nuint size, int sequence);

    [LibraryImport(LlamaLibrary)]
    internal static partial nuint llama_state_seq_set_data(SafeLlamaContextHandle context, byte* source, nuint size, int sequence);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_attach_threadpool(SafeLlamaContextHandle context, SafeGgmlThreadPoolHandle threadPool, SafeGgmlThreadPoolHandle batchThreadPool);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_detach_threadpool(SafeLlamaContextHandle context);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_set_n_threads(SafeLlamaContextHandle context, int threads, int batchThreads);

    [LibraryImport(LlamaLibrary)]
    internal static partial float* llama_get_logits_ith(SafeLlamaContextHandle context, int index);

    [LibraryImport(LlamaLibrary)]
    internal static partial float* llama_get_embeddings_seq(SafeLlamaContextHandle context, int sequence);

    [LibraryImport(LlamaLibrary)]
    internal static partial float* llama_get_embeddings_ith(SafeLlamaContextHandle context, int index);

    // vocabulary (the vocab pointer is owned by the model and lives as long as it)
    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_n_tokens(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_type(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(IntPtr vocab, int token);

    [LibraryImport(LlamaLibrary)]
    internal static partial byte* llama_vocab_get_text(IntPtr vocab, int token);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_eos(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_bos(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_vocab_eos(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(IntPtr vocab);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_tokenize(IntPtr vocab, byte* text, int textLength, int* tokens, int maxTokens, [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buffer, int length, int leftStrip, [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_chat_apply_template(byte* template, LlamaChatMessage* messages, nuint count, [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buffer, int length);

    // sampling
    [LibraryImport(LlamaLibrary)]
    internal static partial SafeLlamaSamplerHandle llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr sampler);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_greedy();

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_dist(uint seed);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_top_k(int k);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_temp(float temperature);

    [LibraryImport(LlamaLibrary)]
    internal static partial IntPtr llama_sampler_init_penalties(int lastN, float repeat, float frequency, float presence);

    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_sampler_init_grammar(IntPtr vocab, string grammar, string root);

    [LibraryImport(LlamaLibrary, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_sampler_init_grammar_lazy_patterns(IntPtr vocab, string grammar, string root, byte** patterns, nuint patternCount, int* tokens, nuint tokenCount);

    [LibraryImport(LlamaLibrary)]
    internal static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int index);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_apply(SafeLlamaSamplerHandle sampler, LlamaTokenDataArray* candidates);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_accept(SafeLlamaSamplerHandle sampler, int token);

    [LibraryImport(LlamaLibrary)]
    internal static partial void llama_sampler_free(IntPtr sampler);

    /// <summary>Reads a NUL-terminated UTF-8 string owned by the native side.</summary>
    internal static string? ReadUtf8(byte* text) => text is null ? null : Marshal.PtrToStringUTF8((IntPtr)text);
}
