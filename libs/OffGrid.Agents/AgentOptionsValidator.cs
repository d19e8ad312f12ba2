using Microsoft.Extensions.Options;

namespace OffGrid.Agents;

/// <summary>Validates <see cref="AgentOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
