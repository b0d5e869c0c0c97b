using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Hosting;

/// <summary>What a console command gets: services, its own arguments (after the group name) and where to write.</summary>
public sealed record ConsoleCommandContext(IServiceProvider Services, IReadOnlyList<string> Args, TextWriter Output, TextWriter Error, CancellationToken CancellationToken)
{
    /// <summary>The value after <paramref name="name"/> (e.g. <c>--tenant contoso</c>), or null when absent.</summary>
    public string? Option(string name)
    {
        for (var i = 0; i < Args.Count - 1; i++)
        {
            if (string.Equals(Args[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return Args[i + 1];
            }
        }

        return null;
    }

    public bool Flag(string name) => Args.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));

    public async Task<int> UsageAsync(string message, string usage)
    {
        await Error.WriteLineAsync(message);
        await Error.WriteLineAsync(usage);
        return ConsoleCommands.UsageError;
    }
}

/// <summary>
/// Operator commands run instead of the web server: <c>dotnet run --project LockboxPortal -- audit verify</c>.
/// A command group is a name and a handler that parses the rest of the arguments; add new groups to
/// <see cref="Groups"/>. Commands write results to standard output and problems to standard error, so output
/// such as an export can be redirected to a file.
/// </summary>
public static class ConsoleCommands
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    private static readonly Dictionary<string, Func<ConsoleCommandContext, Task<int>>> Groups = new(StringComparer.OrdinalIgnoreCase)
    {
        ["audit"] = AuditCommands.RunAsync,
        ["tokens"] = TokenCommands.RunAsync,
    };

    public static bool IsConsoleCommand(IReadOnlyList<string> args) => args.Count > 0 && Groups.ContainsKey(args[0]);

    /// <summary>
    /// Runs the console command named by <paramref name="args"/> and returns its exit code, or returns null when the
    /// arguments name no command (start the web server then). The database is migrated first, but never seeded:
    /// a command must not change what it is asked to inspect, nor print banners into an export.
    /// </summary>
    public static async Task<int?> RunConsoleCommandAsync(
        this WebApplication app, string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        if (!IsConsoleCommand(args))
        {
            return null;
        }

        await app.Services.MigrateLockboxDatabaseAsync(cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var context = new ConsoleCommandContext(scope.ServiceProvider, args[1..], output ?? Console.Out, error ?? Console.Error, cancellationToken);
        var exitCode = await Groups[args[0]](context);
        await context.Output.FlushAsync(cancellationToken);
        return exitCode;
    }
}
