using System.CommandLine;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Output;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid quota set</c>: the limits of a role or of one user.</summary>
internal sealed class QuotaCommand : Command
{
    /// <summary>Creates <c>offgrid quota</c> and its subcommand.</summary>
    public QuotaCommand(CliConsole console, GovernanceServices governance)
        : base("quota", "Set usage limits per role or per user (tokens per UTC day, requests per minute, concurrent requests).")
    {
        Option<UserRole?> role = RoleInput.Option("--role", "Set the limits of every user with this role (user, admin or auditor) who has none of their own.");
        var user = new Option<string?>("--user") { Description = "Set the limits of one user; they replace the role's." };
        var tokens = Positive<long>("--tokens-per-day", "Input plus output tokens per UTC day.");
        var requests = Positive<int>("--requests-per-minute", "Model calls started in any 60 seconds.");
        var concurrent = Positive<int>("--concurrent", "Model calls running at once.");
        var clear = new Option<bool>("--clear") { Description = "Remove the limits: a user goes back to the role's, a role becomes unlimited." };
        var set = new Command("set", CommandHelp.Describe(
            "Set limits; a limit left out is unlimited.",
            "offgrid quota set --role user --tokens-per-day 200000 --requests-per-minute 30 --concurrent 2",
            "offgrid quota set --user ci-bot --requests-per-minute 600",
            "offgrid quota set --user ci-bot --clear"))
        {
            role, user, tokens, requests, concurrent, clear,
        };
        set.Validators.Add(result =>
        {
            // Presence, not value: a value that failed to parse has already reported its own error.
            if ((result.GetResult(role) is null) == (result.GetResult(user) is null))
            {
                result.AddError("Give either --role or --user.");
            }
        });
        set.SetAction(async (parse, cancellationToken) =>
        {
            QuotaLimits? limits = parse.GetValue(clear) ? null : new QuotaLimits
            {
                TokensPerDay = parse.GetValue(tokens),
                RequestsPerMinute = parse.GetValue(requests),
                ConcurrentRequests = parse.GetValue(concurrent),
            };
            if (parse.GetValue(role) is { } chosenRole)
            {
                await governance.Quotas.SetRoleLimitsAsync(chosenRole, limits ?? QuotaLimits.Unlimited, cancellationToken).ConfigureAwait(false);
                console.Out.MarkupLineInterpolated($"Limits of role '{chosenRole.ToName()}': {Describe(limits)}.");
            }
            else
            {
                string name = parse.GetRequiredValue(user)!;
                await governance.Quotas.SetUserLimitsAsync(name, limits, cancellationToken).ConfigureAwait(false);
                console.Out.MarkupLineInterpolated($"Limits of '{name}': {(limits is null ? "those of its role" : Describe(limits))}.");
            }

            return 0;
        });
        Add(set);
    }

    private static Option<T?> Positive<T>(string name, string description)
        where T : struct, System.Numerics.INumber<T>
    {
        var option = new Option<T?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T?>() is { } value && value <= T.Zero)
            {
                result.AddError($"{name} must be positive; leave it out for no limit.");
            }
        });
        return option;
    }

    private static string Describe(QuotaLimits? limits) => limits is null || limits.IsUnlimited
        ? "unlimited"
        : string.Join(", ", new[]
        {
            limits.TokensPerDay is { } t ? $"{t} tokens per day" : null,
            limits.RequestsPerMinute is { } r ? $"{r} requests per minute" : null,
            limits.ConcurrentRequests is { } c ? $"{c} concurrent requests" : null,
        }.OfType<string>());
}
