import React from "react";

type State = { count: number };

export class Counter extends React.Component<{ step: number }, State> {
  state: State = { count: 0 };

  increment = () => {
    this.setState((s) => ({ count: s.count + this.props.step }));
  };

  render() {
    return <button onClick={this.increment}>{this.state.count}</button>;
  }

  componentDidUpdate(_: unknown, prev: State) {
    if (prev.count !== this.state.count) console.debug("count", this.state.count);
  }
}
