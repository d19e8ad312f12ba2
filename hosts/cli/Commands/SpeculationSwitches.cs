using System.CommandLine;
using OffGrid.Cli.Models;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Engine.Speculation;
using OffGrid.Inference.Engine.State;

namespace OffGrid.Cli.Commands;

/// <summary>
/// The switches for speculative decoding and the on-disk prompt cache, with llama.cpp's names where it has them
/// (<c>--model-draft</c>/<c>-md</c>, <c>--draft-max</c>), added to a command that loads a model.
/// </summary>
internal sealed class SpeculationSwitches
{
    private readonly Option<string?> _draftModel = new("--draft-model", "--model-draft", "-md") { Description = "A small model with the same tokenizer that drafts tokens for the model to check (speculative decoding): an alias, stored model or .gguf path." };
    private readonly Option<int?> _ngram = new Option<int?>("--spec-ngram") { Description = "Draft without a model: copy the tokens that followed the last N tokens earlier in the conversation (2 to 4 suit most text)." }.Between(1, 64);
    private readonly Option<int?> _draftMax = new Option<int?>("--draft-max") { Description = "The most tokens drafted per step (default 16)." }.Between(1, 256);
    private readonly Option<bool> _promptCache = new("--prompt-cache") { Description = $"Save the conversation's evaluated prompt under OFFGRID_HOME, so the same start is not evaluated again (also after a restart). Only prompts of {new PromptCacheOptions().MinTokens} tokens or more are saved." };

    /// <summary>Adds the switches and their rules to <paramref name="command"/>.</summary>
    /// <param name="command">The command that loads a model.</param>
    /// <param name="drafterFromConfiguration">
    /// Whether the draft model may also come from configuration (<c>offgrid serve</c>'s settings), so that
    /// <c>--draft-max</c> alone is not a mistake.
    /// </param>
    public void AddTo(Command command, bool drafterFromConfiguration = false)
    {
        command.Add(_draftModel);
        command.Add(_ngram);
        command.Add(_draftMax);
        command.Add(_promptCache);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_draftModel) is not null && result.GetValue(_ngram) is not null)
            {
                result.AddError("--draft-model and --spec-ngram cannot be used together.");
            }
            else if (!drafterFromConfiguration && result.GetValue(_draftMax) is not null && result.GetValue(_draftModel) is null && result.GetValue(_ngram) is null)
            {
                result.AddError("--draft-max sets how many tokens are drafted, and nothing drafts without --draft-model or --spec-ngram.");
            }
        });
    }

    /// <summary>
    /// The parsed switches as the server's configuration switches (<c>--Server:Pool:Engine:Speculation:NgramSize=3</c>); a
    /// draft model name goes as it is, for the server to resolve at start like a request's model name.
    /// </summary>
    public IEnumerable<string> ToConfigurationSwitches(ParseResult parse)
    {
        const string Speculation = nameof(LlamaEngineOptions.Speculation) + ":";
        if (parse.GetValue(_draftModel) is { } draft)
        {
            yield return EngineSwitch.For(Speculation + nameof(SpeculativeDecodingOptions.DraftModelPath), draft);
        }

        if (parse.GetValue(_ngram) is { } ngram)
        {
            yield return EngineSwitch.For(Speculation + nameof(SpeculativeDecodingOptions.NgramSize), ngram);
        }

        if (parse.GetValue(_draftMax) is { } draftMax)
        {
            yield return EngineSwitch.For(Speculation + nameof(SpeculativeDecodingOptions.MaxDraftTokens), draftMax);
        }

        if (parse.GetValue(_promptCache))
        {
            yield return EngineSwitch.For(nameof(LlamaEngineOptions.PromptCache) + ":" + nameof(PromptCacheOptions.Enabled), true);
        }
    }

    /// <summary>Sets the engine options from the parsed switches; a draft model name is located (and pulled) like the model's.</summary>
    /// <exception cref="IOException"><c>--prompt-cache</c> is given and the prompt cache folder cannot be created or written.</exception>
    public async Task ApplyAsync(ParseResult parse, LlamaEngineOptions engine, ModelLocator locator, CancellationToken cancellationToken)
    {
        if (parse.GetValue(_draftModel) is { } draft)
        {
            try
            {
                engine.Speculation.DraftModelPath = await locator.LocateAsync(draft, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelNotFoundException ex)
            {
                throw new ModelNotFoundException(draft, $"--draft-model: {ex.Message}", ex.CanPull);
            }
        }

        engine.Speculation.NgramSize = parse.GetValue(_ngram);
        engine.Speculation.MaxDraftTokens = parse.GetValue(_draftMax) ?? engine.Speculation.MaxDraftTokens;
        engine.PromptCache.Enabled = parse.GetValue(_promptCache);
        if (engine.PromptCache.FindDirectoryProblem() is { } problem)
        {
            // Refused before the model loads, as the server refuses it at start.
            throw new IOException($"--prompt-cache: {problem}");
        }
    }
}
