declare module 'pidusage' {
  function pidusage(pid: number): Promise<pidusage.Stat>;
  function pidusage(pids: number[]): Promise<Record<string, pidusage.Stat>>;
  namespace pidusage {
    interface Stat {
      /** Percent of one core since the previous call for this pid. */
      cpu: number;
      /** Resident set size, bytes. */
      memory: number;
      ppid: number;
      pid: number;
      ctime: number;
      elapsed: number;
      timestamp: number;
    }
    function clear(): void;
  }
  export default pidusage;
}
