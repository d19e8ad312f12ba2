using Microsoft.Extensions.Options;

namespace OffGrid.Speech;

/// <summary>Validates <see cref="SpeechOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class SpeechOptionsValidator : IValidateOptions<SpeechOptions>
{
    public ValidateOptionsResult Validate(string? name, SpeechOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
