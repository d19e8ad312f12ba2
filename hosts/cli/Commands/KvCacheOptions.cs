using System.CommandLine;
using OffGrid.Hub.Gguf;
using OffGrid.Inference.Engine;

namespace OffGrid.Cli.Commands;

/// <summary>
/// llama.cpp's <c>--cache-type-k</c>/<c>-ctk</c>, <c>--cache-type-v</c>/<c>-ctv</c> and <c>--flash-attn</c>/<c>-fa</c> options, shared by the commands
/// that load a model (and the memory estimate of <c>offgrid show</c>). Unknown values are usage errors at parse time.
/// </summary>
internal sealed class KvCacheOptions
{
    private static readonly string[] s_typeNames = [.. LlamaEngineOptions.SupportedCacheTypes.Select(t => t.ToString().ToLowerInvariant())];

    public Option<string?> CacheTypeK { get; } = TypeOption("--cache-type-k", "-ctk", "keys");

    public Option<string?> CacheTypeV { get; } = TypeOption("--cache-type-v", "-ctv", "values (a quantized type needs flash attention)");

    public Option<string?> FlashAttention { get; } = new Option<string?>("--flash-attn", "-fa") { Description = "Flash attention: on, off or auto (default: llama.cpp decides)." }.AcceptOnlyFromAmong("on", "off", "auto");

    /// <summary>Adds the cache type options (and, with <paramref name="flashAttention"/>, <c>--flash-attn</c>) to <paramref name="command"/>.</summary>
    public void AddTo(Command command, bool flashAttention = true)
    {
        command.Add(CacheTypeK);
        command.Add(CacheTypeV);
        if (flashAttention)
        {
            command.Add(FlashAttention);
            command.Validators.Add(result =>
            {
                // Tokens, not values: a value its own option rejected must not throw here.
                if (result.GetResult(FlashAttention)?.Tokens is [{ Value: "off" }] && result.GetResult(CacheTypeV)?.Tokens is [{ Value: string v }]
                    && s_typeNames.Contains(v) && LlamaEngineOptions.IsQuantizedCacheType(Enum.Parse<GgmlType>(v, ignoreCase: true)))
                {
                    result.AddError($"--cache-type-v {v} needs flash attention: llama.cpp keeps a quantized value cache only with it; use --flash-attn on or auto.");
                }
            });
        }
    }

    /// <summary>Copies the parsed values onto <paramref name="engine"/>.</summary>
    public LlamaEngineOptions ApplyTo(LlamaEngineOptions engine, ParseResult parse)
    {
        engine.CacheTypeK = Type(parse, CacheTypeK);
        engine.CacheTypeV = Type(parse, CacheTypeV);
        engine.FlashAttention = parse.GetValue(FlashAttention) switch
        {
            "on" => true,
            "off" => false,
            _ => null,
        };
        return engine;
    }

    /// <summary>The parsed values as the server's configuration switches (<c>--Server:Pool:Engine:CacheTypeK=q8_0</c>).</summary>
    public IEnumerable<string> ToConfigurationSwitches(ParseResult parse)
    {
        LlamaEngineOptions engine = ApplyTo(new LlamaEngineOptions(), parse);
        if (engine.CacheTypeK is { } k)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.CacheTypeK), k);
        }

        if (engine.CacheTypeV is { } v)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.CacheTypeV), v);
        }

        if (engine.FlashAttention is { } flash)
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.FlashAttention), flash);
        }
    }

    /// <summary>The parsed type of <paramref name="option"/>, or <see langword="null"/> when it was not given.</summary>
    public static GgmlType? Type(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } name ? Enum.Parse<GgmlType>(name, ignoreCase: true) : null;

    private static Option<string?> TypeOption(string name, string alias, string what) =>
        new Option<string?>(name, alias) { Description = $"KV cache type for the {what}: {string.Join(", ", s_typeNames)} (default f16)." }.AcceptOnlyFromAmong(s_typeNames);
}
