using System.Diagnostics;
using System.Runtime.InteropServices;
using OffGrid.Inference.Native;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Native;

/// <summary>
/// The P/Invoke structs must match llama.h of the pinned llama.cpp exactly: a C program compiled against that
/// header prints sizeof/offsetof, and they are compared with the managed layouts.
/// </summary>
public sealed class StructLayoutTests
{
    private static readonly (string Struct, Type Managed, string[] Fields)[] s_layouts =
    [
        ("llama_model_params", typeof(LlamaModelParams), ["devices", "tensor_buft_overrides", "n_gpu_layers", "split_mode", "load_mode", "lazy_mode", "main_gpu", "tensor_split", "progress_callback", "progress_callback_user_data", "kv_overrides", "vocab_only", "check_tensors", "use_extra_bufts", "no_host", "no_alloc", "load_mtp"]),
        ("llama_context_params", typeof(LlamaContextParams), ["n_ctx", "n_batch", "n_ubatch", "n_seq_max", "n_rs_seq", "n_outputs_max", "n_outputs_max_per_seq", "n_threads", "n_threads_batch", "ctx_type", "rope_scaling_type", "pooling_type", "attention_type", "flash_attn_type", "rope_freq_base", "rope_freq_scale", "yarn_ext_factor", "yarn_attn_factor", "yarn_beta_fast", "yarn_beta_slow", "yarn_orig_ctx", "defrag_thold", "cb_eval", "cb_eval_user_data", "type_k", "type_v", "abort_callback", "abort_callback_data", "embeddings", "offload_kqv", "no_perf", "op_offload", "swa_full", "kv_unified", "samplers", "n_samplers", "ctx_other"]),
        ("llama_batch", typeof(LlamaBatch), ["n_tokens", "token", "embd", "pos", "n_seq_id", "seq_id", "logits"]),
        ("llama_sampler_chain_params", typeof(LlamaSamplerChainParams), ["no_perf"]),
        ("llama_chat_message", typeof(LlamaChatMessage), ["role", "content"]),
        ("llama_token_data", typeof(LlamaTokenData), ["id", "logit", "p"]),
        ("llama_token_data_array", typeof(LlamaTokenDataArray), ["data", "size", "selected", "sorted"]),
        ("ggml_threadpool_params", typeof(GgmlThreadPoolParams), ["cpumask", "n_threads", "prio", "poll", "strict_cpu", "paused"]),
    ];

    [Fact]
    public async Task ManagedLayoutsMatchTheHeader()
    {
        string dir = TestPaths.NewTempDir("offgrid-layout");
        try
        {
            var c = new System.Text.StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\nint main(void) {\n");
            foreach ((string name, _, string[] fields) in s_layouts)
            {
                c.Append($"  printf(\"{name} %zu\\n\", sizeof(struct {name}));\n");
                foreach (string field in fields)
                {
                    c.Append($"  printf(\"{name}.{field} %zu\\n\", offsetof(struct {name}, {field}));\n");
                }
            }

            c.Append("  return 0;\n}\n");
            string source = Path.Combine(dir, "layout.c");
            string binary = Path.Combine(dir, "layout");
            await File.WriteAllTextAsync(source, c.ToString(), TestContext.Current.CancellationToken);
            await RunAsync("cc", $"-I \"{LlamaCppSources.IncludeDir}\" -I \"{LlamaCppSources.GgmlIncludeDir}\" -o \"{binary}\" \"{source}\"");
            Dictionary<string, long> native = (await RunAsync(binary, string.Empty))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));

            foreach ((string name, Type managed, string[] fields) in s_layouts)
            {
                Assert.True(native[name] == Marshal.SizeOf(managed), $"sizeof({name}) is {native[name]}, managed {Marshal.SizeOf(managed)}");
                var managedFields = managed.GetFields();
                Assert.Equal(fields.Length, managedFields.Length);
                for (int i = 0; i < fields.Length; i++)
                {
                    long offset = Marshal.OffsetOf(managed, managedFields[i].Name).ToInt64();
                    Assert.True(native[$"{name}.{fields[i]}"] == offset, $"{name}.{fields[i]} is at {native[$"{name}.{fields[i]}"]}, managed {managedFields[i].Name} at {offset}");
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        string error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
        return output;
    }
}
