using System.Runtime.CompilerServices;
using Bunit;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// bUnit's waits give up after one second by default. A component here loads through the real services, on a real
/// SQLite file or PostgreSQL server, on a shared machine: a wait is a ceiling, not a measure, so it is a generous one.
/// </summary>
internal static class BunitDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
}
