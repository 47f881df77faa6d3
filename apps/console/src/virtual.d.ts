declare module 'virtual:herault-topology' {
  const topology: import('topojson-specification').Topology;
  export default topology;
}
