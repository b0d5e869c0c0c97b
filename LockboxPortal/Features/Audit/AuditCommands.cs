using LockboxPortal.Features.AccessRequests.Signing;

namespace LockboxPortal.Features.Audit;

/// <summary>
/// <c>audit verify [--tenant SHORTNAME | --provider]</c> and <c>audit export (--tenant SHORTNAME | --provider) --format json|csv</c>.
/// For operators on the server: they already hold the database, so these do not authorize and record nothing.
/// </summary>
public static class AuditCommands
{
    public const string Usage = """
        Usage:
          audit verify [--tenant SHORTNAME | --provider] [--checkpoint FILE]    verify every chain (its hashes, its signed
                                                             checkpoints and its passkey-signed decisions), or one, or one against a checkpoint kept
                                                             elsewhere (an export or a message); exit code 1 when broken
          audit export (--tenant SHORTNAME | --provider) --format json|csv    write one chain to standard output
        """;

    public static Task<int> RunAsync(ConsoleCommandContext context) => context.Args.FirstOrDefault()?.ToLowerInvariant() switch
    {
        "verify" => VerifyAsync(context),
        "export" => ExportAsync(context),
        _ => context.UsageAsync("Unknown audit command.", Usage),
    };

    private static async Task<int> VerifyAsync(ConsoleCommandContext context)
    {
        var store = context.Services.GetRequiredService<AuditReader>();
        var signatures = context.Services.GetRequiredService<SignedDecisionVerifier>();
        var chains = await store.ListChainsAsync(context.CancellationToken);
        if (context.Option("--tenant") is not null || context.Flag("--provider"))
        {
            var chain = await ChooseAsync(context, chains);
            if (chain is null)
            {
                return ConsoleExitCodes.UsageError;
            }

            chains = [chain];
        }

        var broken = 0;
        foreach (var chain in chains)
        {
            var result = await store.VerifyAsync(chain.ChainId, context.CancellationToken);
            var anchored = await AuditCheckpointCommand.VerifyAsync(context, chain);
            var signed = chain.TenantId is { } tenantId ? await signatures.VerifyAsync(tenantId, context.CancellationToken) : null;
            await context.Output.WriteLineAsync($"{chain.ShortName}: {result}{(anchored is { IsIntact: true, Checked: 0 } ? "" : $"; checkpoints: {anchored}")}"
                + (signed is null or { IsIntact: true, Checked: 0 } ? "" : $"; {signed}"));
            broken += result.IsIntact && anchored.IsIntact && signed is null or { IsIntact: true } ? 0 : 1;
        }

        return broken == 0 ? ConsoleExitCodes.Success : ConsoleExitCodes.Failure;
    }

    private static async Task<int> ExportAsync(ConsoleCommandContext context)
    {
        var store = context.Services.GetRequiredService<AuditReader>();
        if (!Enum.TryParse<AuditExportFormat>(context.Option("--format"), ignoreCase: true, out var format))
        {
            return await context.UsageAsync("Choose --format json or --format csv.", Usage);
        }

        if (context.Option("--tenant") is null && !context.Flag("--provider"))
        {
            return await context.UsageAsync("Name the chain: --tenant SHORTNAME or --provider.", Usage);
        }

        var chain = await ChooseAsync(context, await store.ListChainsAsync(context.CancellationToken));
        if (chain is null)
        {
            return ConsoleExitCodes.UsageError;
        }

        var query = new AuditQuery(chain.TenantId);
        var now = context.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var checkpoint = await context.Services.GetRequiredService<AuditCheckpoints>().TakeAsync(chain.ChainId, context.CancellationToken);
        await AuditExportWriter.WriteAsync(format, chain, query, now, store.StreamAsync(query, checkpoint?.Sequence ?? 0, context.CancellationToken),
            context.Output, context.CancellationToken, checkpoint);
        return ConsoleExitCodes.Success;
    }

    private static async Task<AuditChainInfo?> ChooseAsync(ConsoleCommandContext context, IReadOnlyList<AuditChainInfo> chains)
    {
        if (context.Flag("--provider"))
        {
            return chains.Single(c => c.TenantId is null);
        }

        var name = context.Option("--tenant");
        var chain = chains.FirstOrDefault(c => c.TenantId is not null && string.Equals(c.ShortName, name, StringComparison.OrdinalIgnoreCase));
        if (chain is null)
        {
            await context.Error.WriteLineAsync($"No tenant with short name '{name}'.");
        }

        return chain;
    }
}
