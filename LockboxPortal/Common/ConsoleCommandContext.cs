namespace LockboxPortal.Common;

/// <summary>The exit codes of the console commands: 0 success, 1 the check failed, 2 the arguments were wrong.</summary>
public static class ConsoleExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
}

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
        return ConsoleExitCodes.UsageError;
    }
}
