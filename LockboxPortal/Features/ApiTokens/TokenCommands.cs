using System.Globalization;
using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>
/// <c>tokens create-client --name NAME</c>, <c>tokens create --user EMAIL --name NAME [--expires-days N]</c> and
/// <c>tokens rotate-signing-key</c>. Each prints the new token (or key id) once, on its own line, and is audited as
/// done from the console.
/// </summary>
public static class TokenCommands
{
    public const string Usage = """
        Usage:
          tokens create-client --name NAME                                  a service client token (access checks only)
          tokens create --user EMAIL --name NAME [--expires-days 1..90]    a personal token acting with that person's roles (default 30 days)
          tokens rotate-signing-key                                         start signing grant tokens with a new key
        """;

    public static Task<int> RunAsync(ConsoleCommandContext context) => context.Args.FirstOrDefault()?.ToLowerInvariant() switch
    {
        "create-client" => CreateClientAsync(context),
        "create" => CreatePersonalAsync(context),
        "rotate-signing-key" => RotateAsync(context),
        _ => context.UsageAsync("Unknown tokens command.", Usage),
    };

    private static async Task<int> CreateClientAsync(ConsoleCommandContext context)
    {
        if (context.Option("--name") is not { } name)
        {
            return await context.UsageAsync("Name the client: --name NAME.", Usage);
        }

        return await RefusedOrAsync(context, async tokens =>
        {
            var created = await tokens.CreateServiceClientFromConsoleAsync(name, context.CancellationToken);
            await context.Error.WriteLineAsync($"Service client \"{created.View.Name}\" created. Its token is shown only now:");
            await context.Output.WriteLineAsync(created.Token);
        });
    }

    private static async Task<int> CreatePersonalAsync(ConsoleCommandContext context)
    {
        if (context.Option("--user") is not { } email || context.Option("--name") is not { } name)
        {
            return await context.UsageAsync("Name the person and the token: --user EMAIL --name NAME.", Usage);
        }

        var days = 30;
        if (context.Option("--expires-days") is { } text && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days))
        {
            return await context.UsageAsync("--expires-days takes a whole number of days, 1 to 90.", Usage);
        }

        return await RefusedOrAsync(context, async tokens =>
        {
            var created = await tokens.CreatePersonalFromConsoleAsync(email, name, days, context.CancellationToken);
            await context.Error.WriteLineAsync($"Token \"{created.View.Name}\" for {email} created, expires {created.View.ExpiresAt:u}. It is shown only now:");
            await context.Output.WriteLineAsync(created.Token);
        });
    }

    private static async Task<int> RotateAsync(ConsoleCommandContext context)
    {
        var grantTokens = context.Services.GetRequiredService<GrantTokenService>();
        var keyId = await grantTokens.RotateAsync(ApiTokenService.Console, context.CancellationToken);
        await context.Output.WriteLineAsync(keyId);
        return ConsoleExitCodes.Success;
    }

    private static async Task<int> RefusedOrAsync(ConsoleCommandContext context, Func<ApiTokenService, Task> action)
    {
        try
        {
            await action(context.Services.GetRequiredService<ApiTokenService>());
            return ConsoleExitCodes.Success;
        }
        catch (LockboxRuleException ex)
        {
            await context.Error.WriteLineAsync(ex.Message);
            return ConsoleExitCodes.Failure;
        }
    }
}
