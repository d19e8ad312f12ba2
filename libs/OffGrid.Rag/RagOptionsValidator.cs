using Microsoft.Extensions.Options;

namespace OffGrid.Rag;

/// <summary>Validates <see cref="RagOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class RagOptionsValidator : IValidateOptions<RagOptions>
{
    public ValidateOptionsResult Validate(string? name, RagOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
