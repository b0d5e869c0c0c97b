using LockboxPortal.Features.ApiTokens;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Hosting;

/// <summary>
/// Operator commands run instead of the web server: <c>dotnet run --project LockboxPortal -- audit verify</c>.
/// A command group is a name and a handler that parses the rest of the arguments; add new groups to
/// <see cref="Groups"/>. Commands write results to standard output and problems to standard error, so output
/// such as an export can be redirected to a file.
/// </summary>
public static class ConsoleCommands
{
    public const int Success = ConsoleExitCodes.Success;
    public const int Failure = ConsoleExitCodes.Failure;
    public const int UsageError = ConsoleExitCodes.UsageError;

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
